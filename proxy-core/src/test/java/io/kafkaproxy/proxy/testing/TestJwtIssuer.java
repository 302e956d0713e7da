package io.kafkaproxy.proxy.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * An OAuth issuer for tests: an RSA key made at construction, its public JWKS written to a file, and RS256 tokens
 * signed with it.
 */
public final class TestJwtIssuer
{
    /** The issuer tokens carry. */
    public static final String ISSUER = "https://issuer.test";
    /** The audience tokens carry. */
    public static final String AUDIENCE = "kafka-proxy";

    private final RSAKey key;

    /**
     * Makes a new signing key.
     */
    public TestJwtIssuer()
    {
        try
        {
            key = new RSAKeyGenerator(2048).keyID("test-" + System.nanoTime()).generate();
        }
        catch (final JOSEException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the public JWKS.
     *
     * @param file where.
     * @return the file.
     */
    public Path writeJwks(final Path file)
    {
        try
        {
            return Files.writeString(file, new JWKSet(key.toPublicJWK()).toString());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A valid token for a subject, for the usual issuer and audience, valid for an hour.
     *
     * @param subject the {@code sub} claim.
     * @return the compact JWS.
     */
    public String token(final String subject)
    {
        return token(subject, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofHours(1)));
    }

    /**
     * A token with the given claims.
     *
     * @param subject   the {@code sub} claim.
     * @param issuer    the {@code iss} claim.
     * @param audience  the {@code aud} claim.
     * @param expiresAt the {@code exp} claim.
     * @return the compact JWS.
     */
    public String token(final String subject, final String issuer, final String audience, final Instant expiresAt)
    {
        final JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(issuer)
            .audience(audience)
            .issueTime(Date.from(Instant.now().minusSeconds(5)))
            .expirationTime(Date.from(expiresAt))
            .claim("scope", "kafka")
            .build();
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try
        {
            jwt.sign(new RSASSASigner(key));
        }
        catch (final JOSEException e)
        {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
