package io.kafkaproxy.proxy.policy;

/**
 * The identity of a SASL login the proxy checked itself (the listener terminates SASL): the user the login named,
 * from the moment it succeeded. Ahead of every other source: on a terminating listener the login is what the client
 * proved, whatever else it sent.
 *
 * <p>Confined to the connection's event loop.
 */
public final class TerminatedSaslPrincipal implements PrincipalSource
{
    private String principal;

    /**
     * A login (or re-authentication) succeeded.
     *
     * @param name the principal it names.
     */
    public void onAuthenticated(final String name)
    {
        principal = name;
    }

    @Override
    public String principal()
    {
        return principal;
    }
}
