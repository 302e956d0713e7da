package io.kafkaproxy.proxy.failover;

/**
 * The answer to a request to switch upstream: done, or refused with a reason, and the cluster's state after it.
 *
 * @param refusal why the switch was refused (the routing kept); null when it was made.
 * @param status  the cluster's state after the request.
 */
public record SwitchOutcome(String refusal, FailoverStatus status)
{
    /**
     * Whether the switch was made.
     *
     * @return true unless refused.
     */
    public boolean switched()
    {
        return refusal == null;
    }
}
