package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.UpstreamSettings;
import io.kafkaproxy.proxy.config.FailoverConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The failover state of one virtual cluster: which upstream is active, the generation, the latest probe of each
 * upstream, the latest switch; and the switch itself.
 *
 * <pre>
 *                 failover (manual, or failureThreshold failed primary probes with a healthy standby)
 *   PRIMARY_ACTIVE ───────────────────────────────────────────────────────────────────────────► STANDBY_ACTIVE
 *                 ◄───────────────────────────────────────────────────────────────────────────
 *                 failback (manual, or automatic after holdDown of healthy primary probes)
 * </pre>
 *
 * <p>A switch, one at a time on the failover loop: refused if the target's latest probe failed (the routing kept);
 * else (1) the target's upstream is published in the cluster's snapshot and the node registry forgets the old
 * upstream's broker addresses, (2) the generation grows: from then on the {@link GenerationFenceHandler} of every
 * broker connection of an older generation closes it instead of connecting, writing or reading, (3) the new
 * upstream's nodes are learnt and every client connection of the cluster is closed, so clients re-bootstrap at the
 * same client-facing addresses. Each switch logs one INFO line, records an audit event and is counted.
 *
 * <p>Threads: probes, switches and the state they read run on one event loop (the acceptor's). The generation, the
 * active upstream and the published {@link FailoverStatus} are volatile, read by the event loops (the fence), the
 * admin listener and the reload thread.
 */
public final class ClusterFailover implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterFailover.class);

    private final String name;
    private final String configuredClusterId;
    private final EventLoop eventLoop;
    private final Supplier<ClusterSnapshot> snapshots;
    private final FailoverTarget target;
    private final UpstreamProbe probe;
    private final AuditLog audit;
    private final LongSupplier clock;
    private final FailoverMetrics metrics;
    // Added by the lifecycle thread (the gateway at start), read by the failover loop at each switch.
    private final List<UpstreamSwitchListener> listeners = new CopyOnWriteArrayList<>();
    private volatile long generation;
    private volatile ActiveUpstream active = ActiveUpstream.PRIMARY;
    private volatile FailoverStatus status;
    private volatile String clusterId;
    // Confined to the event loop.
    private ProbeResult primaryProbe;
    private ProbeResult standbyProbe;
    private int primaryFailures;
    private long primaryHealthySinceMillis = -1;
    private int probeRound;
    private SwitchRecord lastSwitch;
    private ScheduledFuture<?> probing;
    private boolean closed;

    /**
     * Creates the failover state of a cluster, its primary active; nothing is probed until {@link #start}.
     *
     * @param name                 the virtual cluster's name.
     * @param configuredClusterId  the {@code clusterId} the configuration gives it, or null to derive one from the name.
     * @param eventLoop            where probes and switches run.
     * @param snapshots            the cluster's current snapshot: the primary, standby and failover settings.
     * @param target               what a switch does to the cluster.
     * @param template             a client bootstrap with channel type and resolver set, for the probes.
     * @param maxResponseSizeBytes the largest probe answer accepted.
     * @param audit                the audit log.
     * @param registry             where the failover meters live.
     * @param clock                wall-clock milliseconds.
     */
    public ClusterFailover(
        final String name,
        final String configuredClusterId,
        final EventLoop eventLoop,
        final Supplier<ClusterSnapshot> snapshots,
        final FailoverTarget target,
        final Bootstrap template,
        final int maxResponseSizeBytes,
        final AuditLog audit,
        final MeterRegistry registry,
        final LongSupplier clock)
    {
        this.name = name;
        this.configuredClusterId = configuredClusterId;
        this.eventLoop = eventLoop;
        this.snapshots = snapshots;
        this.target = target;
        this.probe = new UpstreamProbe(template, maxResponseSizeBytes, clock);
        this.audit = audit;
        this.clock = clock;
        this.metrics = new FailoverMetrics(registry, name, this);
        this.clusterId = VirtualClusterId.of(name, configuredClusterId, ActiveUpstream.PRIMARY);
        this.status = describe();
    }

    /**
     * Starts probing both upstreams every {@code probeInterval}, the first probes now; does nothing without a standby.
     */
    public void start()
    {
        final FailoverConfig settings = snapshots.get().failover();
        if (settings == null)
        {
            return;
        }
        eventLoop.execute(() ->
        {
            if (!closed)
            {
                probing = eventLoop.scheduleWithFixedDelay(this::probeBoth, 0, settings.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * The virtual cluster's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Whether the cluster has a standby to fail over to.
     *
     * @return true with an {@code upstream.standby} section.
     */
    public boolean hasStandby()
    {
        return snapshots.get().standby() != null;
    }

    /**
     * The current generation: 0 at start, one more at every switch. Any thread.
     *
     * @return the generation.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * The upstream the cluster reaches now. Any thread.
     *
     * @return primary or standby.
     */
    public ActiveUpstream active()
    {
        return active;
    }

    /**
     * The cluster's state for the admin API, as of the latest probe or switch. Any thread.
     *
     * @return the state.
     */
    public FailoverStatus status()
    {
        return status;
    }

    /**
     * The cluster id clients see now (KIP-1242): the virtual cluster's, for its active upstream. Any thread.
     *
     * @return the id; see {@link VirtualClusterId}.
     */
    public String clusterId()
    {
        return clusterId;
    }

    /**
     * Switches the cluster to its standby. Any thread.
     *
     * @param trigger what asks for it.
     * @param reason  why, in words, for the log and the audit event.
     * @return completes with the outcome: switched, or refused with the reason (no standby, already there, standby
     *         unhealthy).
     */
    public CompletionStage<SwitchOutcome> failover(final SwitchTrigger trigger, final String reason)
    {
        return onLoop(() -> switchTo(ActiveUpstream.STANDBY, trigger, reason));
    }

    /**
     * Switches the cluster back to its primary. Any thread.
     *
     * @param trigger what asks for it.
     * @param reason  why, in words.
     * @return completes with the outcome: switched, or refused with the reason.
     */
    public CompletionStage<SwitchOutcome> failback(final SwitchTrigger trigger, final String reason)
    {
        return onLoop(() -> switchTo(ActiveUpstream.PRIMARY, trigger, reason));
    }

    /**
     * Adds a listener told of every later switch, on the failover loop, after the switch is published. Any thread.
     *
     * @param listener the listener; it must not block.
     */
    public void addSwitchListener(final UpstreamSwitchListener listener)
    {
        listeners.add(listener);
    }

    /**
     * Counts a broker connection the fence closed. Any event loop.
     */
    void onFenced()
    {
        metrics.onFenced();
    }

    /**
     * The upstream the cluster reaches now, from a snapshot's compiled upstreams. Any thread.
     *
     * @param snapshot a snapshot of this cluster.
     * @return its primary or its standby.
     */
    public UpstreamSettings activeSettings(final ClusterSnapshot snapshot)
    {
        return active == ActiveUpstream.STANDBY && snapshot.standby() != null ? snapshot.standby() : snapshot.primary();
    }

    private CompletionStage<SwitchOutcome> onLoop(final Supplier<SwitchOutcome> action)
    {
        final CompletableFuture<SwitchOutcome> outcome = new CompletableFuture<>();
        eventLoop.execute(() ->
        {
            try
            {
                outcome.complete(action.get());
            }
            catch (final RuntimeException e)
            {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private SwitchOutcome switchTo(final ActiveUpstream to, final SwitchTrigger trigger, final String reason)
    {
        final ClusterSnapshot snapshot = snapshots.get();
        final String refusal = refusal(snapshot, to);
        if (refusal != null)
        {
            LOGGER.atInfo()
                .addKeyValue("cluster", name)
                .addKeyValue("to", to.label())
                .addKeyValue("trigger", trigger.label())
                .addKeyValue("reason", refusal)
                .log("upstream switch refused; the routing is kept");
            return new SwitchOutcome(refusal, status);
        }
        final ActiveUpstream from = active;
        final UpstreamSettings upstream = to == ActiveUpstream.STANDBY ? snapshot.standby() : snapshot.primary();
        active = to;
        clusterId = VirtualClusterId.of(name, configuredClusterId, to);
        target.activate(upstream);
        // The fence reads this: from here on, no broker connection of an older generation carries anything. One writer
        // (this loop), so the increment of the volatile needs no atomic.
        generation++;
        target.onSwitched(upstream);
        lastSwitch = new SwitchRecord(clock.getAsLong(), from.label(), to.label(), trigger.label(), reason, generation);
        primaryFailures = 0;
        status = describe();
        metrics.onSwitched(to, trigger);
        audit.recordFailover(trigger == SwitchTrigger.MANUAL ? "operator" : "proxy",
            "cluster=" + name + " from=" + from.label() + " to=" + to.label() + " trigger=" + trigger.label() +
            " generation=" + generation + " reason=" + reason);
        LOGGER.atInfo()
            .addKeyValue("cluster", name)
            .addKeyValue("from", from.label())
            .addKeyValue("to", to.label())
            .addKeyValue("trigger", trigger.label())
            .addKeyValue("generation", generation)
            .addKeyValue("clusterId", clusterId)
            .addKeyValue("upstream", upstream.bootstrapServers())
            .addKeyValue("reason", reason)
            .log("cluster switched upstream; its client connections are closed to re-bootstrap");
        for (final UpstreamSwitchListener listener : listeners)
        {
            try
            {
                listener.onSwitched(name, to, generation);
            }
            catch (final RuntimeException e)
            {
                LOGGER.atWarn().addKeyValue("cluster", name).setCause(e).log("an upstream switch listener failed");
            }
        }
        return new SwitchOutcome(null, status);
    }

    private String refusal(final ClusterSnapshot snapshot, final ActiveUpstream to)
    {
        if (snapshot.standby() == null)
        {
            return "no standby: cluster " + name + " has no upstream.standby";
        }
        if (active == to)
        {
            return "already there: cluster " + name + " reaches its " + to.label();
        }
        final ProbeResult targetProbe = to == ActiveUpstream.PRIMARY ? primaryProbe : standbyProbe;
        if (targetProbe != null && !targetProbe.ok())
        {
            return "target unhealthy: the " + to.label() + "'s latest probe failed: " + targetProbe.error();
        }
        return null;
    }

    private void probeBoth()
    {
        final ClusterSnapshot snapshot = snapshots.get();
        final FailoverConfig settings = snapshot.failover();
        if (closed || settings == null)
        {
            return;
        }
        final int round = probeRound++;
        final long timeoutMillis = settings.probeTimeout().toMillis();
        final Future<ProbeResult> primary = probe.probe(eventLoop, snapshot.primary(), round, timeoutMillis);
        final Future<ProbeResult> standby = probe.probe(eventLoop, snapshot.standby(), round, timeoutMillis);
        // The standby's result first, so that a failover decided on the primary's sees the standby of this round.
        standby.addListener(done -> onProbed(ActiveUpstream.STANDBY, standby.getNow(), settings));
        primary.addListener(done -> standby.addListener(standbyDone -> onProbed(ActiveUpstream.PRIMARY, primary.getNow(), settings)));
    }

    private void onProbed(final ActiveUpstream upstream, final ProbeResult result, final FailoverConfig settings)
    {
        if (closed)
        {
            return;
        }
        if (!result.ok())
        {
            metrics.onProbeFailed(upstream);
            LOGGER.atDebug()
                .addKeyValue("cluster", name)
                .addKeyValue("upstream", upstream.label())
                .addKeyValue("error", result.error())
                .log("upstream probe failed");
        }
        if (upstream == ActiveUpstream.STANDBY)
        {
            standbyProbe = result;
            status = describe();
            return;
        }
        primaryProbe = result;
        if (result.ok())
        {
            primaryFailures = 0;
            if (primaryHealthySinceMillis < 0)
            {
                primaryHealthySinceMillis = result.timeMillis();
            }
        }
        else
        {
            primaryFailures++;
            primaryHealthySinceMillis = -1;
        }
        status = describe();
        decide(settings);
    }

    private void decide(final FailoverConfig settings)
    {
        if (active == ActiveUpstream.PRIMARY && settings.failureThreshold() > 0 && primaryFailures >= settings.failureThreshold())
        {
            if (standbyProbe != null && standbyProbe.ok())
            {
                switchTo(ActiveUpstream.STANDBY, SwitchTrigger.AUTOMATIC,
                    "the primary failed " + primaryFailures + " probes in a row: " + primaryProbe.error());
            }
            return;
        }
        if (active == ActiveUpstream.STANDBY && settings.failback() == FailoverConfig.Failback.AUTOMATIC &&
            primaryHealthySinceMillis >= 0 && primaryProbe.timeMillis() - primaryHealthySinceMillis >= settings.holdDown().toMillis())
        {
            switchTo(ActiveUpstream.PRIMARY, SwitchTrigger.AUTOMATIC,
                "the primary answered every probe for " + settings.holdDown());
        }
    }

    private FailoverStatus describe()
    {
        final ClusterSnapshot snapshot = snapshots.get();
        final List<FailoverStatus.UpstreamStatus> upstreams = new ArrayList<>(2);
        upstreams.add(FailoverStatus.UpstreamStatus.of(UpstreamSettings.PRIMARY, snapshot.primary().bootstrapServers(), primaryProbe));
        if (snapshot.standby() != null)
        {
            upstreams.add(FailoverStatus.UpstreamStatus.of(UpstreamSettings.STANDBY, snapshot.standby().bootstrapServers(), standbyProbe));
        }
        return new FailoverStatus(name, snapshot.standby() == null ? null : clusterId, active.label(), generation,
            List.copyOf(upstreams), lastSwitch);
    }

    /**
     * Stops probing. Any thread; the probes in flight end on their own.
     */
    @Override
    public void close()
    {
        if (eventLoop.isShuttingDown())
        {
            return;
        }
        eventLoop.execute(() ->
        {
            closed = true;
            if (probing != null)
            {
                probing.cancel(false);
            }
        });
    }
}
