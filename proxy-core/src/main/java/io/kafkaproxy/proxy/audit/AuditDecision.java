package io.kafkaproxy.proxy.audit;

/**
 * What an audit event records; its ordinal-free id is the ring record's message type.
 */
enum AuditDecision
{
    /** An ACL denied a request. */
    DENY(1, "deny", "request denied by ACL"),
    /** A quota throttled a request. */
    THROTTLE(2, "throttle", "request throttled by quota"),
    /** A connection was refused (a connection limit, a failed authentication). */
    REJECT(3, "reject", "connection rejected"),
    /** A virtual cluster switched between its primary and standby upstream. */
    FAILOVER(4, "failover", "cluster switched upstream");

    private static final AuditDecision[] BY_TYPE_ID = {null, DENY, THROTTLE, REJECT, FAILOVER};

    private final int msgTypeId;
    private final String label;
    private final String message;

    AuditDecision(final int msgTypeId, final String label, final String message)
    {
        this.msgTypeId = msgTypeId;
        this.label = label;
        this.message = message;
    }

    /**
     * The ring record's message type: positive, as the ring requires.
     *
     * @return the type id.
     */
    int msgTypeId()
    {
        return msgTypeId;
    }

    /**
     * The value of the {@code decision} key.
     *
     * @return {@code deny}, {@code throttle} or {@code reject}.
     */
    String label()
    {
        return label;
    }

    /**
     * The audit line's message.
     *
     * @return the message.
     */
    String message()
    {
        return message;
    }

    /**
     * The decision of a ring record.
     *
     * @param msgTypeId the record's message type.
     * @return the decision, or null for a type this class never writes.
     */
    static AuditDecision ofTypeId(final int msgTypeId)
    {
        return msgTypeId > 0 && msgTypeId < BY_TYPE_ID.length ? BY_TYPE_ID[msgTypeId] : null;
    }
}
