package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.OAuthBearerConfig;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lets Kafka's {@code OAuthBearerSaslServer} accept a JWT: its signature by a key of the local JWKS (RSA, EC or
 * RSA-PSS; never {@code none} or HMAC), {@code exp} and {@code nbf} within the clock skew, {@code iss} and {@code aud}
 * as configured, and the principal from the configured claim. A token that fails any check is answered with
 * {@code invalid_token}, as RFC 7628 has it; why it failed is kept for the proxy's log, never sent.
 *
 * <p>Called on a {@link SaslLoginExecutor} thread, one login at a time per instance.
 */
final class JwtValidatorCallbackHandler implements AuthenticateCallbackHandler
{
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
        JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
        JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String principalClaim;
    private String rejection;

    JwtValidatorCallbackHandler(final JWKSet keys, final OAuthBearerConfig settings)
    {
        this.principalClaim = settings.principalClaim();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(keys)));
        final DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
            settings.audience(), new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp", principalClaim));
        claims.setMaxClockSkew((int)Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public void configure(final Map<String, ?> configs, final String saslMechanism, final List<AppConfigurationEntry> jaasConfigEntries)
    {
    }

    @Override
    public void handle(final Callback[] callbacks) throws UnsupportedCallbackException
    {
        for (final Callback callback : callbacks)
        {
            if (callback instanceof OAuthBearerValidatorCallback validator)
            {
                validate(validator);
            }
            else
            {
                // Extensions and anything else: refused; OAuthBearerSaslServer then ignores client extensions.
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private void validate(final OAuthBearerValidatorCallback validator)
    {
        final String value = validator.tokenValue();
        final JWTClaimsSet claims;
        final String principal;
        try
        {
            claims = processor.process(value, null);
            principal = claims.getStringClaim(principalClaim);
        }
        catch (final ParseException | BadJOSEException | JOSEException e)
        {
            rejection = e.getMessage();
            validator.error("invalid_token", null, null);
            return;
        }
        if (principal == null || principal.isEmpty())
        {
            rejection = "claim '" + principalClaim + "' is not a non-empty string";
            validator.error("invalid_token", null, null);
            return;
        }
        final Long start = claims.getIssueTime() != null ? Long.valueOf(claims.getIssueTime().getTime())
            : claims.getNotBeforeTime() != null ? Long.valueOf(claims.getNotBeforeTime().getTime()) : null;
        validator.token(new JwtBearerToken(value, scopes(claims), claims.getExpirationTime().getTime(), principal, start));
    }

    private static Set<String> scopes(final JWTClaimsSet claims)
    {
        final Object scope = claims.getClaim("scope");
        if (scope instanceof String text)
        {
            return Set.copyOf(new HashSet<>(Arrays.asList(text.trim().split("\\s+"))));
        }
        return Set.of();
    }

    /**
     * Why the last token was refused, for the proxy's log.
     *
     * @return the reason, or null if none was refused.
     */
    String rejection()
    {
        return rejection;
    }

    @Override
    public void close()
    {
    }
}
