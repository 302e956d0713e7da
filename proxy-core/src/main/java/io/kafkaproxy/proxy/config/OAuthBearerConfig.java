package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code listener.sasl.oauthbearer} section: how the proxy checks the JWTs clients log in with. A token is
 * accepted when it is signed by a key of the JWKS file, its {@code iss} and {@code aud} match, and the time lies within
 * its {@code nbf} and {@code exp} (each widened by the clock skew). A reload re-reads the JWKS file.
 *
 * @param jwksFile       the JSON Web Key Set (RFC 7517) file of the issuer's public keys. Required.
 * @param issuer         the {@code iss} every token must carry. Required.
 * @param audience       the value the token's {@code aud} must contain. Required.
 * @param principalClaim the claim naming the principal. Default {@code sub}.
 * @param clockSkew      how far {@code exp} and {@code nbf} may be off. Default 30s.
 */
public record OAuthBearerConfig(Path jwksFile, String issuer, String audience, String principalClaim, Duration clockSkew)
{
    /** Default principal claim. */
    public static final String DEFAULT_PRINCIPAL_CLAIM = "sub";
    /** Default clock skew. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public OAuthBearerConfig
    {
        if (jwksFile == null)
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer.jwksFile: required");
        }
        if (issuer == null || issuer.isBlank())
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer.issuer: required");
        }
        if (audience == null || audience.isBlank())
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer.audience: required");
        }
        if (principalClaim == null || principalClaim.isBlank())
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer.principalClaim: must not be empty");
        }
        if (clockSkew == null || clockSkew.isNegative())
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer.clockSkew: must not be negative: " + clockSkew);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param jwksFile       the JWKS file, or null.
     * @param issuer         the issuer, or null.
     * @param audience       the audience, or null.
     * @param principalClaim the principal claim, or null.
     * @param clockSkew      the clock skew, or null.
     * @return the section.
     */
    @JsonCreator
    public static OAuthBearerConfig of(
        @JsonProperty("jwksFile") final String jwksFile,
        @JsonProperty("issuer") final String issuer,
        @JsonProperty("audience") final String audience,
        @JsonProperty("principalClaim") final String principalClaim,
        @JsonProperty("clockSkew") final Duration clockSkew)
    {
        return new OAuthBearerConfig(
            jwksFile == null ? null : Path.of(jwksFile),
            issuer,
            audience,
            principalClaim == null ? DEFAULT_PRINCIPAL_CLAIM : principalClaim,
            clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew);
    }
}
