package io.kafkaproxy.proxy.testing;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client side of OAUTHBEARER for tests: hands the login the signed JWT given as the JAAS option {@code token}
 * (kafka-clients' unsecured handler cannot sign). Configure it with {@code sasl.login.callback.handler.class}.
 *
 * <p>The client is told the token lives an hour whatever its {@code exp}, so that an expired token still reaches the
 * proxy, which must refuse it.
 */
public final class SignedTokenLoginCallbackHandler implements AuthenticateCallbackHandler
{
    private String token;

    /**
     * The JAAS configuration that logs in with a token.
     *
     * @param token the compact JWS.
     * @return the {@code sasl.jaas.config} value.
     */
    public static String jaasConfig(final String token)
    {
        return "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required token=\"" + token + "\";";
    }

    @Override
    public void configure(final Map<String, ?> configs, final String saslMechanism, final List<AppConfigurationEntry> jaasConfigEntries)
    {
        token = (String)jaasConfigEntries.get(0).getOptions().get("token");
    }

    @Override
    public void handle(final Callback[] callbacks) throws UnsupportedCallbackException
    {
        for (final Callback callback : callbacks)
        {
            if (!(callback instanceof OAuthBearerTokenCallback tokenCallback))
            {
                throw new UnsupportedCallbackException(callback);
            }
            final long now = System.currentTimeMillis();
            final String value = token;
            tokenCallback.token(new OAuthBearerToken()
            {
                @Override
                public String value()
                {
                    return value;
                }

                @Override
                public Set<String> scope()
                {
                    return Set.of();
                }

                @Override
                public long lifetimeMs()
                {
                    return now + 3_600_000L;
                }

                @Override
                public String principalName()
                {
                    return "test";
                }

                @Override
                public Long startTimeMs()
                {
                    return now;
                }
            });
        }
    }

    @Override
    public void close()
    {
    }
}
