package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.SaslMechanism;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import java.util.Map;

/**
 * Gives Kafka's {@code ScramSaslServer} a user's credential for one mechanism from the SCRAM credentials file. Kafka
 * delegation tokens are not supported (their callback is refused, which fails the login).
 *
 * <p>Called on a {@link SaslLoginExecutor} thread, one login at a time per instance.
 */
final class ScramCredentialCallbackHandler implements AuthenticateCallbackHandler
{
    private final Map<String, Map<SaslMechanism, ScramCredential>> users;
    private final SaslMechanism mechanism;
    private String username;

    ScramCredentialCallbackHandler(final Map<String, Map<SaslMechanism, ScramCredential>> users, final SaslMechanism mechanism)
    {
        this.users = users;
        this.mechanism = mechanism;
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
            else if (callback instanceof ScramCredentialCallback credentialCallback)
            {
                final Map<SaslMechanism, ScramCredential> credentials = users.get(username);
                // null: ScramSaslServer fails the login as Kafka does for an unknown user.
                credentialCallback.scramCredential(credentials == null ? null : credentials.get(mechanism));
            }
            else
            {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void close()
    {
    }
}
