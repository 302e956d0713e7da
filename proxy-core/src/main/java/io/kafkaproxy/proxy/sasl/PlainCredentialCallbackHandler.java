package io.kafkaproxy.proxy.sasl;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * Lets Kafka's {@code PlainSaslServer} check a PLAIN login against the users file's salted hashes.
 *
 * <p>An unknown user costs as much as a known one (a hash with the same iteration count is derived and thrown away),
 * so response times do not tell which user names exist. Called on a {@link SaslLoginExecutor} thread, one login at a
 * time per instance.
 */
final class PlainCredentialCallbackHandler implements AuthenticateCallbackHandler
{
    private final Map<String, PlainPasswordHash> users;
    private String username;

    PlainCredentialCallbackHandler(final Map<String, PlainPasswordHash> users)
    {
        this.users = users;
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
            if (callback instanceof NameCallback nameCallback)
            {
                username = nameCallback.getDefaultName();
            }
            else if (callback instanceof PlainAuthenticateCallback authenticate)
            {
                final PlainPasswordHash hash = users.get(username);
                if (hash == null)
                {
                    decoy(users).matches(authenticate.password());
                    authenticate.authenticated(false);
                }
                else
                {
                    authenticate.authenticated(hash.matches(authenticate.password()));
                }
            }
            else
            {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private static PlainPasswordHash decoy(final Map<String, PlainPasswordHash> users)
    {
        final int iterations = users.isEmpty() ? PlainPasswordHash.DEFAULT_ITERATIONS : users.values().iterator().next().iterations();
        final byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new PlainPasswordHash(salt, iterations, new byte[64]);
    }

    @Override
    public void close()
    {
    }
}
