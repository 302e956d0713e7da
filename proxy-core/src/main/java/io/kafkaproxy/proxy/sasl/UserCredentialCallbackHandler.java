package io.kafkaproxy.proxy.sasl;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import java.util.Map;

/**
 * The part the PLAIN and SCRAM callback handlers share: Kafka's SASL server names the user in a {@link NameCallback},
 * then asks for that user's credential check in a callback of the mechanism's own kind, which the subclass answers;
 * any other callback is refused. Built with what it checks, so there is no JAAS configuration to read.
 *
 * <p>Called on a {@link SaslLoginExecutor} thread, one login at a time per instance.
 */
abstract class UserCredentialCallbackHandler implements AuthenticateCallbackHandler
{
    private String username;

    @Override
    public final void configure(
        final Map<String, ?> configs, final String saslMechanism, final List<AppConfigurationEntry> jaasConfigEntries)
    {
    }

    @Override
    public final void handle(final Callback[] callbacks) throws UnsupportedCallbackException
    {
        for (final Callback callback : callbacks)
        {
            if (callback instanceof NameCallback nameCallback)
            {
                username = nameCallback.getDefaultName();
            }
            else if (!onCredentialCallback(username, callback))
            {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    /**
     * Answers the mechanism's credential callback.
     *
     * @param user     the user the login names (null if the server named none).
     * @param callback the callback.
     * @return false if the callback is not of the mechanism's kind (it is then refused).
     */
    abstract boolean onCredentialCallback(String user, Callback callback);

    @Override
    public final void close()
    {
    }
}
