package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.ToDoubleFunction;

/**
 * The meters of one virtual cluster's failover: switches by target and trigger, the active upstream and the
 * generation (gauges read from the {@link ClusterFailover}), failed probes by upstream, and broker connections the
 * fence closed.
 *
 * <p>Counters are incremented on the cluster's failover loop, and the fence's on any event loop (Micrometer counters
 * are thread-safe; a fenced connection is rare).
 */
final class FailoverMetrics
{
    /** Broker connections of an older generation that the fence closed, by cluster. */
    static final String BROKER_CONNECTIONS_FENCED = "kafka.proxy.broker.connections.fenced";

    private final MeterRegistry registry;
    private final String cluster;
    private final Counter primaryProbeFailures;
    private final Counter standbyProbeFailures;
    private final Counter fenced;

    FailoverMetrics(final MeterRegistry registry, final String cluster, final ClusterFailover failover)
    {
        this.registry = registry;
        this.cluster = cluster;
        gauge(ProxyMetrics.CLUSTER_ACTIVE_UPSTREAM, "the upstream the cluster reaches: 0 primary, 1 standby", failover,
            f -> f.active().gaugeValue());
        gauge(ProxyMetrics.CLUSTER_GENERATION, "the failover generation: grows at every switch", failover,
            ClusterFailover::generation);
        this.primaryProbeFailures = probeFailures(ActiveUpstream.PRIMARY);
        this.standbyProbeFailures = probeFailures(ActiveUpstream.STANDBY);
        this.fenced = Counter.builder(BROKER_CONNECTIONS_FENCED)
            .description("broker connections of an older failover generation closed by the fence")
            .tag(ProxyMetrics.CLUSTER, cluster)
            .register(registry);
    }

    private void gauge(final String name, final String description, final ClusterFailover failover,
        final ToDoubleFunction<ClusterFailover> value)
    {
        Gauge.builder(name, failover, value).description(description).tag(ProxyMetrics.CLUSTER, cluster).register(registry);
    }

    private Counter probeFailures(final ActiveUpstream upstream)
    {
        return Counter.builder(ProxyMetrics.UPSTREAM_PROBE_FAILURES)
            .description("failed health probes of an upstream")
            .tag(ProxyMetrics.CLUSTER, cluster)
            .tag(ProxyMetrics.UPSTREAM, upstream.label())
            .register(registry);
    }

    void onProbeFailed(final ActiveUpstream upstream)
    {
        (upstream == ActiveUpstream.PRIMARY ? primaryProbeFailures : standbyProbeFailures).increment();
    }

    void onSwitched(final ActiveUpstream to, final SwitchTrigger trigger)
    {
        Counter.builder(ProxyMetrics.CLUSTER_SWITCHES)
            .description("switches of a virtual cluster between its primary and standby upstream")
            .tag(ProxyMetrics.CLUSTER, cluster)
            .tag(ProxyMetrics.TO, to.label())
            .tag(ProxyMetrics.TRIGGER, trigger.label())
            .register(registry)
            .increment();
    }

    void onFenced()
    {
        fenced.increment();
    }
}
