package io.kafkaproxy.proxy.failover;

/**
 * Told of each switch of a virtual cluster between its primary and its standby upstream, after the switch is
 * published: how what reaches the cluster's upstream on its own clients (the gateway's Kafka clients) follows it.
 */
@FunctionalInterface
public interface UpstreamSwitchListener
{
    /**
     * A cluster switched. Runs on the failover loop: hand anything slow or blocking to a thread of your own.
     *
     * @param cluster    the virtual cluster's name.
     * @param to         the upstream now active.
     * @param generation the generation the switch raised the cluster to.
     */
    void onSwitched(String cluster, ActiveUpstream to, long generation);
}
