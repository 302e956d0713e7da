package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.policy.TerminatedSaslPrincipal;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;

import java.util.function.Supplier;

/**
 * What a connection on a listener that terminates SASL needs for its logins.
 *
 * @param listener     the listener's name, for the login metric's label.
 * @param credentials  the listener's credentials now (the cluster's current snapshot), read at each handshake.
 * @param failedLogins the cluster's count of failed logins per client address.
 * @param principal    the connection's identity source the logins name.
 * @param framing      the connection's framing until its login, shared with its decoders.
 * @param routedLogin  the login a routing listener checked before handing the connection on (the connection starts
 *                     logged in, {@code principal} already named), or null for a connection that logs in here.
 */
public record SaslTerminationSetup(
    String listener, Supplier<SaslCredentials> credentials, FailedLoginLimiter failedLogins, TerminatedSaslPrincipal principal,
    SaslFraming framing, RoutedLogin routedLogin)
{
    /**
     * The setup of a connection that logs in on its own listener.
     *
     * @param listener     the listener's name, for the login metric's label.
     * @param credentials  the listener's credentials now.
     * @param failedLogins the cluster's count of failed logins per client address.
     * @param principal    the connection's identity source the logins name.
     * @param framing      the connection's framing until its login.
     */
    public SaslTerminationSetup(
        final String listener, final Supplier<SaslCredentials> credentials, final FailedLoginLimiter failedLogins,
        final TerminatedSaslPrincipal principal, final SaslFraming framing)
    {
        this(listener, credentials, failedLogins, principal, framing, null);
    }
}
