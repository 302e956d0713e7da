package io.kafkaproxy.proxy.ratelimit;

/**
 * Why {@link ConnectionLimiter} refused a connection.
 */
public enum ConnectionRejection
{
    /** The client's address has {@code maxConnections} open already. */
    ADDRESS_MAX_CONNECTIONS("addressMaxConnections"),
    /** The client's address opened {@code connectionsPerSecond} connections, and its burst, already. */
    ADDRESS_CONNECTION_RATE("addressConnectionsPerSecond"),
    /** The principal has {@code maxConnections} open already. */
    PRINCIPAL_MAX_CONNECTIONS("principalMaxConnections"),
    /** The principal opened {@code connectionsPerSecond} connections, and its burst, already. */
    PRINCIPAL_CONNECTION_RATE("principalConnectionsPerSecond");

    private final String reason;

    ConnectionRejection(final String reason)
    {
        this.reason = reason;
    }

    /**
     * The reason as the audit log and metrics name it.
     *
     * @return for example {@code addressMaxConnections}.
     */
    public String reason()
    {
        return reason;
    }
}
