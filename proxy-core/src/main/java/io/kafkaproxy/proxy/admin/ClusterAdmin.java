package io.kafkaproxy.proxy.admin;

import io.kafkaproxy.proxy.failover.FailoverStatus;
import io.kafkaproxy.proxy.failover.SwitchOutcome;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the admin listener's {@code /clusters} routes ask of the proxy: the state of each virtual cluster, and the
 * operator's switches between a cluster's primary and standby upstream.
 */
public interface ClusterAdmin
{
    /**
     * The state of every virtual cluster, in configuration order.
     *
     * @return the states.
     */
    List<FailoverStatus> clusters();

    /**
     * Switches a cluster to its standby on the operator's command.
     *
     * @param name   the cluster's name.
     * @param reason who asked, for the log and the audit event.
     * @return completes with the outcome; null if no cluster has that name.
     */
    CompletionStage<SwitchOutcome> failover(String name, String reason);

    /**
     * Switches a cluster back to its primary on the operator's command.
     *
     * @param name   the cluster's name.
     * @param reason who asked, for the log and the audit event.
     * @return completes with the outcome; null if no cluster has that name.
     */
    CompletionStage<SwitchOutcome> failback(String name, String reason);
}
