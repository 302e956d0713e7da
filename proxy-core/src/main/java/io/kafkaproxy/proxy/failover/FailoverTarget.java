package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.cluster.UpstreamSettings;

/**
 * What a switch does to the virtual cluster it belongs to: the cluster context's side of the switch.
 */
public interface FailoverTarget
{
    /**
     * Makes the next connections reach an upstream: publishes a snapshot whose upstream fields are its, and makes the
     * node registry forget the broker addresses of the upstream left (its node ports stay). Called before the new
     * generation is published.
     *
     * @param upstream the upstream now active.
     */
    void activate(UpstreamSettings upstream);

    /**
     * Finishes a switch once the new generation is published: learns the new upstream's nodes and closes every client
     * connection of the cluster, so clients re-bootstrap.
     *
     * @param upstream the upstream now active.
     */
    void onSwitched(UpstreamSettings upstream);
}
