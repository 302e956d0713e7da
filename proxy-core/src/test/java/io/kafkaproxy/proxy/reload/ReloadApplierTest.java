package io.kafkaproxy.proxy.reload;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

import static io.kafkaproxy.proxy.reload.ConfigChangeDetectorTest.RUNNING;
import static io.kafkaproxy.proxy.reload.ConfigChangeDetectorTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

class ReloadApplierTest
{
    private static final String NEW_UPSTREAM = """
        listener:
          bindAddress: 127.0.0.1:9092
        upstream:
          bootstrapServers: [kafka-2:9092]
        network:
          ioThreads: 2
          maxRequestSizeBytes: 1MiB
        memory:
          poolSizeBytes: 512MiB
        acl:
          defaultPolicy: deny
        """;

    @Test
    void shouldPublishOneSnapshotCompiledFromThePlan() throws ConfigException
    {
        // Given
        final RunningCluster target = new RunningCluster(parse(RUNNING));
        final ReloadPlan plan = plan(target.config(), parse(NEW_UPSTREAM));

        // When
        final StepResult<ReloadPlan> result = new ReloadApplier(ClusterSnapshot::compile).apply(plan, target);

        // Then
        assertThat(result).isEqualTo(new StepResult.Done<>(plan));
        final ClusterSnapshot published = target.snapshots.current();
        assertThat(published.bootstrapServers()).containsExactly(new HostPort("kafka-2", 9092));
        assertThat(published.maxRequestSizeBytes()).isEqualTo(1 << 20);
        assertThat(published.acl().isAllowAll()).isFalse();
        assertThat(target.config()).isSameAs(plan.config());
    }

    @Test
    void shouldKeepTheRunningSnapshotWhenTheNewOneDoesNotCompile() throws ConfigException
    {
        // Given
        final RunningCluster target = new RunningCluster(parse(RUNNING));
        final ProxyConfig running = target.config();
        final ClusterSnapshot before = target.snapshots.current();
        final ReloadPlan plan = plan(running, parse(NEW_UPSTREAM));

        // When
        final StepResult<ReloadPlan> result = new ReloadApplier(config ->
        {
            throw new IllegalArgumentException("acl.rules[0]: cannot compile");
        }).apply(plan, target);

        // Then
        assertThat(result).isEqualTo(new StepResult.Failed<>("acl.rules[0]: cannot compile"));
        assertThat(target.snapshots.current()).isSameAs(before);
        assertThat(target.config()).isSameAs(running);
    }

    @Test
    void shouldRefuseAReloadWhoseCertificateDoesNotLoadNamingTheFile() throws ConfigException
    {
        // Given
        final RunningCluster target = new RunningCluster(parse(RUNNING));
        final ClusterSnapshot before = target.snapshots.current();
        final ReloadPlan plan = plan(target.config(), parse(RUNNING.replace("  bindAddress: 127.0.0.1:9092\n",
            "  bindAddress: 127.0.0.1:9092\n  tls:\n    certificate: /no/such/server.crt\n    privateKey: /no/such/server.key\n")));

        // When
        final StepResult<ReloadPlan> result = new ReloadApplier(ClusterSnapshot::compile).apply(plan, target);

        // Then
        assertThat(result).isInstanceOf(StepResult.Failed.class);
        assertThat(((StepResult.Failed<ReloadPlan>)result).error())
            .startsWith("listener.tls.certificate: no such file: file=/no/such/server.crt");
        assertThat(target.snapshots.current()).isSameAs(before);
    }

    private static ReloadPlan plan(final ProxyConfig running, final ProxyConfig fromFile)
    {
        return ((StepResult.Done<ReloadPlan>)ReloadPlan.plan(running, fromFile)).value();
    }

    /**
     * A proxy of one cluster, reduced to what the apply step touches.
     */
    private static final class RunningCluster implements ReloadTarget
    {
        private final ClusterSnapshotReference snapshots;
        private ProxyConfig config;

        RunningCluster(final ProxyConfig config)
        {
            this.config = config;
            this.snapshots = new ClusterSnapshotReference(ClusterSnapshot.compile(config));
        }

        @Override
        public ProxyConfig config()
        {
            return config;
        }

        @Override
        public void publish(final ProxyConfig newConfig, final ClusterSnapshot snapshot)
        {
            snapshots.publish(snapshot);
            config = newConfig;
        }
    }
}
