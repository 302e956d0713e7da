package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.UpstreamSettings;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.FailoverConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.DefaultEventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ClusterFailover} on a plain event loop, its cluster's switch recorded instead of applied, never probing.
 */
final class FailoverFixture implements AutoCloseable
{
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final DefaultEventLoop eventLoop = new DefaultEventLoop();
    final AuditLog audit;
    final AtomicReference<ClusterSnapshot> snapshot;
    final List<String> steps = new ArrayList<>();
    final ClusterFailover failover;

    FailoverFixture(final boolean withStandby)
    {
        BrokerClusterConfig upstream = BrokerClusterConfig.of(List.of(new HostPort("east", 9092)), null);
        if (withStandby)
        {
            upstream = upstream.withStandby(StandbyUpstreamConfig.of(List.of(new HostPort("west", 9092)), null, null, null),
                FailoverConfig.defaults());
        }
        final ProxyConfig config = ProxyConfig.builder(upstream).build();
        this.audit = new AuditLog(config.audit(), registry);
        this.snapshot = new AtomicReference<>(ClusterSnapshot.compile(config));
        this.failover = new ClusterFailover("east", null, eventLoop, snapshot::get, new FailoverTarget()
        {
            @Override
            public void activate(final UpstreamSettings upstreamSettings)
            {
                steps.add("activate " + upstreamSettings.name() + " at generation " + failover.generation());
                snapshot.set(snapshot.get().withActiveUpstream(upstreamSettings));
            }

            @Override
            public void onSwitched(final UpstreamSettings upstreamSettings)
            {
                steps.add("switched " + upstreamSettings.name() + " at generation " + failover.generation());
            }
        }, new Bootstrap(), 1 << 20, audit, registry, () -> 1_000L);
    }

    SwitchOutcome failover() throws Exception
    {
        return failover.failover(SwitchTrigger.MANUAL, "test").toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    SwitchOutcome failback() throws Exception
    {
        return failover.failback(SwitchTrigger.MANUAL, "test").toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close()
    {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        audit.close();
    }
}
