package io.kafkaproxy.proxy.sasl;

import com.nimbusds.jose.jwk.JWKSet;
import io.kafkaproxy.proxy.config.OAuthBearerConfig;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * Checks a JWT outside a SASL exchange (an HTTP {@code Authorization: Bearer} header, an MQTT password) with the very
 * rules an OAUTHBEARER login is checked by: signature against the JWKS, {@code exp}, {@code nbf}, {@code iss},
 * {@code aud}, the principal claim. Immutable; each check builds its own validator, so any thread may call it.
 */
public final class JwtVerifier
{
    private final JWKSet keys;
    private final OAuthBearerConfig settings;

    /**
     * A verifier.
     *
     * @param keys     the issuer's public keys.
     * @param settings the issuer, audience, principal claim and clock skew.
     */
    public JwtVerifier(final JWKSet keys, final OAuthBearerConfig settings)
    {
        this.keys = keys;
        this.settings = settings;
    }

    /**
     * A token that passed: who it names and until when.
     *
     * @param principal      the principal the token names.
     * @param expiresAtMillis its {@code exp}, in epoch milliseconds.
     */
    public record Verified(String principal, long expiresAtMillis)
    {
    }

    /**
     * Checks a token. Costs a signature check: call it off the event loops.
     *
     * @param token the compact JWT.
     * @return the principal the token names and its expiry.
     * @throws SecurityException with the reason, if the token is refused.
     */
    public Verified verify(final String token)
    {
        final JwtValidatorCallbackHandler handler = new JwtValidatorCallbackHandler(keys, settings);
        final OAuthBearerValidatorCallback callback = new OAuthBearerValidatorCallback(token);
        try
        {
            handler.handle(new Callback[]{callback});
        }
        catch (final UnsupportedCallbackException e)
        {
            throw new IllegalStateException(e);
        }
        if (callback.token() == null)
        {
            throw new SecurityException(handler.rejection() == null ? "invalid token" : handler.rejection());
        }
        return new Verified(callback.token().principalName(), callback.token().lifetimeMs());
    }
}
