package io.kafkaproxy.proxy.sasl;

import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;

import javax.security.auth.callback.Callback;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Lets Kafka's {@code PlainSaslServer} check a PLAIN login against the users file's salted hashes.
 *
 * <p>An unknown user costs as much as a known one (a hash with the same iteration count is derived and thrown away),
 * so response times do not tell which user names exist. Called on a {@link SaslLoginExecutor} thread, one login at a
 * time per instance.
 */
final class PlainCredentialCallbackHandler extends UserCredentialCallbackHandler
{
    private final Map<String, PlainPasswordHash> users;

    PlainCredentialCallbackHandler(final Map<String, PlainPasswordHash> users)
    {
        this.users = users;
    }

    @Override
    boolean onCredentialCallback(final String user, final Callback callback)
    {
        if (!(callback instanceof PlainAuthenticateCallback authenticate))
        {
            return false;
        }
        final PlainPasswordHash hash = users.get(user);
        if (hash == null)
        {
            decoy(users).matches(authenticate.password());
            authenticate.authenticated(false);
        }
        else
        {
            authenticate.authenticated(hash.matches(authenticate.password()));
        }
        return true;
    }

    private static PlainPasswordHash decoy(final Map<String, PlainPasswordHash> users)
    {
        final int iterations = users.isEmpty() ? PlainPasswordHash.DEFAULT_ITERATIONS : users.values().iterator().next().iterations();
        final byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new PlainPasswordHash(salt, iterations, new byte[64]);
    }
}
