package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.SaslMechanism;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;

import javax.security.auth.callback.Callback;
import java.util.Map;

/**
 * Gives Kafka's {@code ScramSaslServer} a user's credential for one mechanism from the SCRAM credentials file. Kafka
 * delegation tokens are not supported (their callback is refused, which fails the login).
 *
 * <p>Called on a {@link SaslLoginExecutor} thread, one login at a time per instance.
 */
final class ScramCredentialCallbackHandler extends UserCredentialCallbackHandler
{
    private final Map<String, Map<SaslMechanism, ScramCredential>> users;
    private final SaslMechanism mechanism;

    ScramCredentialCallbackHandler(final Map<String, Map<SaslMechanism, ScramCredential>> users, final SaslMechanism mechanism)
    {
        this.users = users;
        this.mechanism = mechanism;
    }

    @Override
    boolean onCredentialCallback(final String user, final Callback callback)
    {
        if (!(callback instanceof ScramCredentialCallback credentialCallback))
        {
            return false;
        }
        final Map<SaslMechanism, ScramCredential> credentials = users.get(user);
        // null: ScramSaslServer fails the login as Kafka does for an unknown user.
        credentialCallback.scramCredential(credentials == null ? null : credentials.get(mechanism));
        return true;
    }
}
