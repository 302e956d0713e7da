package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What every connection of a routing listener that terminates SASL shares: its credentials (read at start; the
 * {@code routing} section is restart-only), its count of failed logins per address, the clusters its rules reach,
 * and the refusal counter and WARN budget.
 *
 * @param listenerName        the routing listener's name.
 * @param credentials         its credentials.
 * @param failedLogins        its failed logins per client address.
 * @param clusters            the clusters by name (the running ones, at the moment asked).
 * @param reachable           the names of the clusters the rules can route to.
 * @param onRejected          counts a connection refused for want of a route.
 * @param warnBudget          the WARN-line budget of refused connections.
 * @param maxRequestSizeBytes the largest request frame accepted.
 */
record RoutingListenerContext(
    String listenerName,
    Supplier<SaslCredentials> credentials,
    FailedLoginLimiter failedLogins,
    Function<String, ClusterContext> clusters,
    List<String> reachable,
    Runnable onRejected,
    LongSupplier warnBudget,
    int maxRequestSizeBytes)
{
    /**
     * A cluster by name.
     *
     * @param name the cluster's name.
     * @return the running cluster.
     */
    ClusterContext cluster(final String name)
    {
        return clusters.apply(name);
    }

    /**
     * The clusters the rules can route to.
     *
     * @return the running clusters, in the rules' order.
     */
    List<ClusterContext> reachableClusters()
    {
        final List<ClusterContext> running = new ArrayList<>(reachable.size());
        for (final String name : reachable)
        {
            running.add(clusters.apply(name));
        }
        return running;
    }
}
