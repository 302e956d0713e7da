package io.kafkaproxy.proxy.metrics;

import io.kafkaproxy.mempool.MemoryPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's meters, recorded from every event loop.
 *
 * <p>The meters of connections and requests belong to a virtual cluster: {@link #forCluster} gives each cluster its
 * own object whose meters carry {@code cluster=<name>}; the object built with the registry carries
 * {@code cluster=""} on them, for what happens before a connection is routed to a cluster (a failed TLS handshake
 * on a routing listener), and holds the proxy-wide meters (memory pool, frame promises, reloads, certificate
 * expiry), to which a cluster's object delegates. Its readers of connection meters sum every live cluster's.
 *
 * <p>Counters are Micrometer's (striped adders): lock-free and safe from any thread. The connection gauges
 * are atomics touched once per connection open and close, never per request. The per-API meters are registered
 * the first time an api key is seen and kept in an array indexed by api key, so the request path does one array
 * read per frame and never builds a tag or looks up a meter.
 */
public final class ProxyMetrics
{
    /** Frames that closed a connection because they could not be a Kafka frame. */
    public static final String FRAMES_REJECTED = "kafka.proxy.frames.rejected";
    /** Connections that ended in an error rather than an orderly close. */
    public static final String CONNECTION_ERRORS = "kafka.proxy.connection.errors";
    /** Connection attempts to a broker that failed. */
    public static final String BROKER_CONNECT_FAILURES = "kafka.proxy.broker.connect.failures";
    /** Failed TLS handshakes with a broker, by {@link #BROKER} and {@link #REASON}; each is also a connect failure. */
    public static final String BROKER_TLS_HANDSHAKE_FAILURES = "kafka.proxy.broker.tls.handshake.failures";
    /** Refused SASL logins of the proxy's own at a broker ({@code upstream.sasl}), by {@link #BROKER}. */
    public static final String BROKER_AUTHENTICATION_FAILURES = "kafka.proxy.broker.authentication.failures";
    /** Open connections, by side. */
    public static final String ACTIVE_CONNECTIONS = "kafka.proxy.connections.active";
    /** Open client connections of one virtual cluster, by {@link #CLUSTER} (a routed one once it is routed). */
    public static final String CLUSTER_CONNECTIONS = "kafka.proxy.cluster.connections.active";

    /** Requests read from a client whose connection closed before their response. */
    public static final String REQUESTS_UNANSWERED = "kafka.proxy.requests.unanswered";
    /** Counter: broker responses streamed to the client as their reads arrived (cut-through), not assembled first. */
    public static final String RESPONSES_STREAMED = "kafka.proxy.responses.streamed";
    /** Counter: client requests streamed to the broker as their reads arrived (cut-through), not assembled first. */
    public static final String REQUESTS_STREAMED = "kafka.proxy.requests.streamed";
    /**
     * Counter: streamed Fetch responses whose NodeEndpoints could not be rewritten in the length already sent (or named
     * a node whose listener was starting) and were replaced by padding; the client finds the leader through Metadata.
     */
    public static final String STREAMED_ENDPOINTS_DROPPED = "kafka.proxy.responses.streamed.endpoints.dropped";
    /**
     * Counter: streamed Fetch responses whose NodeEndpoints named a node that has no proxy listener at all (its port
     * could not be had), replaced by padding: a misconfiguration, where an assembled response closes its connection.
     */
    public static final String STREAMED_ENDPOINTS_UNAVAILABLE = "kafka.proxy.responses.streamed.endpoints.unavailable";
    /** Configuration reloads, by result. */
    public static final String CONFIG_RELOADS = "kafka.proxy.config.reloads";
    /** Label: {@code success} or {@code failure}. */
    public static final String RESULT = "result";
    /** The memory pool's figures; see {@code MemoryPoolStats}. */
    public static final String MEMORY_PREFIX = "kafka.proxy.memory.";

    /** Label: which side of the proxy, {@code client} or {@code broker}. */
    public static final String SIDE = "side";
    /** Label: why a frame was rejected ({@code oversize}, {@code malformed}) or a broker TLS handshake failed. */
    public static final String REASON = "reason";

    /** Audit events, by outcome. */
    public static final String AUDIT_EVENTS = "kafka.proxy.audit.events";
    /** Label: what became of an audit event, {@code logged}, {@code suppressed} or {@code dropped}. */
    public static final String OUTCOME = "outcome";
    /** A broker's circuit: 0 closed, 1 half open, 2 open. */
    public static final String CIRCUIT_STATE = "kafka.proxy.circuit.state";
    /** Circuit state changes, by broker and new state. */
    public static final String CIRCUIT_TRANSITIONS = "kafka.proxy.circuit.transitions";
    /**
     * Label: the virtual cluster a meter belongs to ({@code default} for a file without {@code clusters}); on the
     * meters of connections and requests, policy, circuit breakers, failover and mirror, never on the proxy-wide
     * ones (memory pool, frame promises, reloads, certificate expiry, JVM, gateway).
     */
    public static final String CLUSTER = "cluster";
    /** Label: a broker's address, {@code host:port}. */
    public static final String BROKER = "broker";
    /** Label: the state a circuit moved to, {@code open}, {@code half_open} or {@code closed}. */
    public static final String TO = "to";
    /**
     * The end of validity of every certificate the proxy loaded: each TLS listener's (its own chain, the authorities
     * it trusts) and the broker side's ({@code upstream.tls}: the proxy's client certificate chain and the
     * authorities it trusts), the latter under the {@code listener} label {@link #BROKER_TLS_LISTENER}.
     */
    public static final String TLS_CERTIFICATE_EXPIRY = "kafka.proxy.tls.certificate.expiry.timestamp.seconds";
    /**
     * The {@code listener} label of the broker side's certificates: the YAML path of their section, which no
     * listener's name can be (a name has no dot).
     */
    public static final String BROKER_TLS_LISTENER = "upstream.tls";
    /** Client TLS handshakes that failed, by listener and reason. */
    public static final String TLS_HANDSHAKE_FAILURES = "kafka.proxy.tls.handshake.failures";
    /** Label: the listener's name. */
    public static final String LISTENER = "listener";
    /** Label: a certificate's subject, RFC 2253. */
    public static final String CERTIFICATE = "certificate";
    /** Label: a certificate's serial number, hexadecimal. */
    public static final String SERIAL = "serial";
    /** SASL logins the proxy checked itself (terminated SASL), by listener, mechanism and outcome. */
    public static final String SASL_AUTHENTICATIONS = "kafka.proxy.sasl.authentications";
    /** Label: a SASL mechanism, or {@code unsupported} for one the listener does not enable. */
    public static final String MECHANISM = "mechanism";
    /** Switches of a virtual cluster between its primary and standby upstream, by cluster, target and trigger. */
    public static final String CLUSTER_SWITCHES = "kafka.proxy.cluster.switches";
    /** The upstream a virtual cluster reaches: 0 primary, 1 standby. */
    public static final String CLUSTER_ACTIVE_UPSTREAM = "kafka.proxy.cluster.active.upstream";
    /** The failover generation of a virtual cluster: grows at every switch. */
    public static final String CLUSTER_GENERATION = "kafka.proxy.cluster.generation";
    /** Failed health probes of an upstream, by cluster and upstream. */
    public static final String UPSTREAM_PROBE_FAILURES = "kafka.proxy.upstream.probe.failures";
    /** Label: an upstream of a virtual cluster, {@code primary} or {@code standby}. */
    public static final String UPSTREAM = "upstream";
    /** Label: what made a switch, {@code automatic} or {@code manual}. */
    public static final String TRIGGER = "trigger";

    /**
     * The two sides of a proxied connection.
     */
    public enum Side
    {
        /** The Kafka client's connection to the proxy. */
        CLIENT("client"),
        /** The proxy's connection to a broker. */
        BROKER("broker");

        private final String label;

        Side(final String label)
        {
            this.label = label;
        }

        /**
         * The metric label value.
         *
         * @return {@code client} or {@code broker}.
         */
        public String label()
        {
            return label;
        }
    }

    private static final int API_KEY_SLOTS = 256;
    // Api keys the proxy forwards but kafka-clients does not name share one slot, so their label set is bounded.
    private static final int UNKNOWN_API_SLOT = API_KEY_SLOTS - 1;

    // The meters a cluster's object registers, removed with it: all carry its cluster label.
    private static final Set<String> CLUSTER_METER_NAMES = Set.of(FRAMES_REJECTED, CONNECTION_ERRORS, BROKER_CONNECT_FAILURES,
        BROKER_TLS_HANDSHAKE_FAILURES, BROKER_AUTHENTICATION_FAILURES, ACTIVE_CONNECTIONS, REQUESTS_UNANSWERED,
        RESPONSES_STREAMED, REQUESTS_STREAMED, STREAMED_ENDPOINTS_DROPPED, STREAMED_ENDPOINTS_UNAVAILABLE, TLS_HANDSHAKE_FAILURES, SASL_AUTHENTICATIONS, ApiMeters.REQUEST_LATENCY, ApiMeters.FRAMES, ApiMeters.BYTES);

    private final MeterRegistry registry;
    // The object built with the registry: itself for the proxy's, the proxy's for a cluster's.
    private final ProxyMetrics root;
    private final String cluster;
    private final Tags tags;
    // The live clusters' objects, on the proxy's object only; written by the lifecycle and reload threads.
    private final Map<String, ProxyMetrics> clusters = new ConcurrentHashMap<>();
    private final Counter[] framesRejected = new Counter[4];
    private final Counter clientConnectionErrors;
    private final Counter brokerConnectionErrors;
    private final Counter brokerConnectFailures;
    private final AtomicLong activeClientConnections = new AtomicLong();
    private final AtomicLong activeBrokerConnections = new AtomicLong();
    private final AtomicReferenceArray<ApiMeters> apiMeters = new AtomicReferenceArray<>(API_KEY_SLOTS);
    private final Counter requestsUnanswered;
    private final Counter responsesStreamed;
    private final Counter requestsStreamed;
    private final Counter streamedEndpointsDropped;
    private final Counter streamedEndpointsUnavailable;
    // On the proxy's object only.
    private Counter reloadSuccesses;
    private Counter reloadFailures;
    // Written by the lifecycle and reload threads (start, each reload), under this object's lock.
    private final Map<String, List<Meter.Id>> tlsCertificateGauges = new HashMap<>();
    // One counter per listener and reason, registered on the first failure of its kind.
    private final Map<String, Counter> tlsHandshakeFailures = new ConcurrentHashMap<>();

    /**
     * Registers the meters.
     *
     * @param registry where the meters live.
     */
    public ProxyMetrics(final MeterRegistry registry)
    {
        this(registry, null, "");
        reloadSuccesses = Counter.builder(CONFIG_RELOADS).tag(RESULT, "success")
            .description("Configuration reloads, applied or refused").register(registry);
        reloadFailures = Counter.builder(CONFIG_RELOADS).tag(RESULT, "failure")
            .description("Configuration reloads, applied or refused").register(registry);
    }

    private ProxyMetrics(final MeterRegistry registry, final ProxyMetrics root, final String cluster)
    {
        this.registry = registry;
        this.root = root == null ? this : root;
        this.cluster = cluster;
        this.tags = Tags.of(CLUSTER, cluster);
        for (final Side side : Side.values())
        {
            for (final String reason : new String[] {"oversize", "malformed"})
            {
                framesRejected[framesRejectedIndex(side, reason)] = Counter.builder(FRAMES_REJECTED)
                    .tag(SIDE, side.label())
                    .tag(REASON, reason)
                    .tags(tags)
                    .description("Frames that closed their connection because they could not be a Kafka frame")
                    .register(registry);
            }
        }
        clientConnectionErrors = Counter.builder(CONNECTION_ERRORS).tag(SIDE, Side.CLIENT.label()).tags(tags)
            .description("Connections that ended in an error").register(registry);
        brokerConnectionErrors = Counter.builder(CONNECTION_ERRORS).tag(SIDE, Side.BROKER.label()).tags(tags)
            .description("Connections that ended in an error").register(registry);
        brokerConnectFailures = Counter.builder(BROKER_CONNECT_FAILURES).tags(tags)
            .description("Connection attempts to a broker that failed").register(registry);
        Gauge.builder(ACTIVE_CONNECTIONS, activeClientConnections, AtomicLong::get).tag(SIDE, Side.CLIENT.label()).tags(tags)
            .description("Open connections").register(registry);
        Gauge.builder(ACTIVE_CONNECTIONS, activeBrokerConnections, AtomicLong::get).tag(SIDE, Side.BROKER.label()).tags(tags)
            .description("Open connections").register(registry);
        requestsUnanswered = Counter.builder(REQUESTS_UNANSWERED).tags(tags)
            .description("Requests read from a client whose connection closed before their response").register(registry);
        responsesStreamed = Counter.builder(RESPONSES_STREAMED).tags(tags)
            .description("Broker responses streamed to the client as they arrived (cut-through)").register(registry);
        requestsStreamed = Counter.builder(REQUESTS_STREAMED).tags(tags)
            .description("Client requests streamed to the broker as they arrived (cut-through)").register(registry);
        streamedEndpointsDropped = Counter.builder(STREAMED_ENDPOINTS_DROPPED).tags(tags)
            .description("Streamed Fetch responses whose node endpoints were replaced by padding").register(registry);
        streamedEndpointsUnavailable = Counter.builder(STREAMED_ENDPOINTS_UNAVAILABLE).tags(tags)
            .description("Streamed Fetch responses whose node endpoints named a node without a proxy listener, replaced by padding")
            .register(registry);
    }

    /**
     * The meters of one virtual cluster's connections and requests, labelled {@code cluster=<name>}; built by its
     * {@code ClusterContext}, removed by {@link #close} when a reload removes the cluster. Called on the proxy's
     * object, by the lifecycle and reload threads.
     *
     * @param name the cluster's name.
     * @return its meters, new.
     */
    public ProxyMetrics forCluster(final String name)
    {
        final ProxyMetrics meters = new ProxyMetrics(registry, this, name);
        clusters.put(name, meters);
        return meters;
    }

    /**
     * Removes a cluster's meters, for a reload that removed the cluster; its counts leave the proxy's sums.
     * Does nothing on the proxy's object.
     */
    public void close()
    {
        if (root == this)
        {
            return;
        }
        root.clusters.remove(cluster, this);
        for (final Meter meter : registry.getMeters())
        {
            final Meter.Id id = meter.getId();
            if (CLUSTER_METER_NAMES.contains(id.getName()) && cluster.equals(id.getTag(CLUSTER)))
            {
                registry.remove(id);
            }
        }
    }

    /**
     * The cluster these meters belong to.
     *
     * @return its name, or the empty string for the proxy's object.
     */
    public String cluster()
    {
        return cluster;
    }

    /**
     * Exports the memory pool's accounting.
     *
     * @param pool the pool.
     */
    public void bindMemoryPool(final MemoryPool pool)
    {
        if (root != this)
        {
            root.bindMemoryPool(pool);
            return;
        }
        Gauge.builder(MEMORY_PREFIX + "capacity", pool, p -> p.stats().capacityBytes()).baseUnit("bytes")
            .description("The memory pool's hard budget").register(registry);
        Gauge.builder(MEMORY_PREFIX + "reserved", pool, p -> p.stats().reservedBytes()).baseUnit("bytes")
            .description("Off-heap memory the pool holds: in use plus cached for reuse").register(registry);
        Gauge.builder(MEMORY_PREFIX + "used", pool, p -> p.stats().inUseBytes()).baseUnit("bytes")
            .description("Memory in blocks held by the event loops").register(registry);
        Gauge.builder(MEMORY_PREFIX + "high.water.mark", pool, p -> p.stats().highWaterMarkBytes()).baseUnit("bytes")
            .description("The most memory the pool ever held").register(registry);
        Gauge.builder(MEMORY_PREFIX + "outstanding.regions", pool, p -> p.stats().outstandingRegions())
            .description("Frames in pool memory not yet released").register(registry);
        FunctionCounter.builder(MEMORY_PREFIX + "fallback.allocations", pool, p -> p.stats().fallbackAllocations())
            .description("Frames too large for a chunk, given a block of their own").register(registry);
        FunctionCounter.builder(MEMORY_PREFIX + "allocation.failures", pool, p -> p.stats().allocationFailures())
            .description("Allocations refused because the budget was spent").register(registry);
        FunctionCounter.builder(MEMORY_PREFIX + "paused.reads", pool, p -> p.stats().pausedReadEvents())
            .description("Times reads paused because memory ran short").register(registry);
    }

    /**
     * Registers the meters of what clients' frames hold before their bytes arrive (the memory package's
     * {@code FramePromises}; passed with its readers, as this package depends on no other of the proxy's).
     *
     * @param promises       the bounds on client frames, held by the allocator for the life of the proxy.
     * @param promisedBytes  reads what large frames hold beyond the bytes they had when they started.
     * @param timedOutFrames reads how many frames were not whole by their deadline.
     * @param <T>            the bounds' type.
     */
    public <T> void bindFramePromises(final T promises, final ToDoubleFunction<T> promisedBytes, final ToDoubleFunction<T> timedOutFrames)
    {
        if (root != this)
        {
            root.bindFramePromises(promises, promisedBytes, timedOutFrames);
            return;
        }
        Gauge.builder(MEMORY_PREFIX + "promised", promises, promisedBytes).baseUnit("bytes")
            .description("Pool memory large client frames hold beyond the bytes they had when they started").register(registry);
        FunctionCounter.builder(MEMORY_PREFIX + "frames.timed.out", promises, timedOutFrames)
            .description("Client frames not whole by their deadline, each closing its connection").register(registry);
    }

    /**
     * The meters of one Kafka API, registered on first use.
     *
     * @param apiKey the request's api key.
     * @return its meters.
     */
    public ApiMeters api(final short apiKey)
    {
        final int slot = apiKey >= 0 && apiKey < UNKNOWN_API_SLOT ? apiKey : UNKNOWN_API_SLOT;
        final ApiMeters meters = apiMeters.get(slot);
        return meters != null ? meters : registerApi(slot);
    }

    private ApiMeters registerApi(final int slot)
    {
        // Once per api key for the life of the process; two loops racing here get the same registered meters.
        // An id kafka-clients does not name gets the shared "Unknown" meters, stored in its own slot as well.
        final boolean known = slot != UNKNOWN_API_SLOT && ApiKeys.hasId(slot);
        final ApiMeters meters = known ? new ApiMeters(registry, ApiKeys.forId(slot).name, tags) :
            slot == UNKNOWN_API_SLOT ? new ApiMeters(registry, "Unknown", tags) : registerUnknownApi();
        return apiMeters.compareAndSet(slot, null, meters) ? meters : apiMeters.get(slot);
    }

    private ApiMeters registerUnknownApi()
    {
        final ApiMeters meters = apiMeters.get(UNKNOWN_API_SLOT);
        return meters != null ? meters : registerApi(UNKNOWN_API_SLOT);
    }

    /**
     * Counts a SASL login the proxy checked. Rare (once per login), so the counter is looked up by its tags.
     *
     * @param listener  the name of the listener that terminated it.
     * @param mechanism the mechanism's name, or {@code unsupported}.
     * @param outcome   {@code success}, {@code failure}, {@code refused} (too many failures from the address) or
     *                  {@code unsupported_mechanism}.
     */
    public void onSaslAuthentication(final String listener, final String mechanism, final String outcome)
    {
        Counter.builder(SASL_AUTHENTICATIONS)
            .tag(LISTENER, listener)
            .tag(MECHANISM, mechanism)
            .tag(OUTCOME, outcome)
            .tags(tags)
            .description("SASL logins the proxy checked itself, by listener, mechanism and outcome")
            .register(registry)
            .increment();
    }

    /**
     * Counts a broker response that streamed to the client.
     */
    public void onResponseStreamed()
    {
        responsesStreamed.increment();
    }

    /**
     * Counts a client request that streamed to the broker.
     */
    public void onRequestStreamed()
    {
        requestsStreamed.increment();
    }

    /**
     * Counts a streamed Fetch response whose node endpoints were replaced by padding.
     */
    public void onStreamedEndpointsDropped()
    {
        streamedEndpointsDropped.increment();
    }

    /**
     * Counts a streamed Fetch response whose node endpoints named a node without a proxy listener.
     */
    public void onStreamedEndpointsUnavailable()
    {
        streamedEndpointsUnavailable.increment();
    }

    /**
     * Counts requests left without an answer when their connection closed.
     *
     * @param count how many.
     */
    public void onRequestsUnanswered(final int count)
    {
        requestsUnanswered.increment(count);
    }

    /**
     * Requests left unanswered so far.
     *
     * @return the count.
     */
    public double requestsUnanswered()
    {
        double sum = requestsUnanswered.count();
        for (final ProxyMetrics meters : clusters.values())
        {
            sum += meters.requestsUnanswered();
        }
        return sum;
    }

    /**
     * Counts a configuration reload.
     *
     * @param applied whether the new configuration was accepted.
     */
    public void onConfigReload(final boolean applied)
    {
        (applied ? root.reloadSuccesses : root.reloadFailures).increment();
    }

    /**
     * Reloads so far.
     *
     * @param applied whether to count those accepted or those refused.
     * @return the count.
     */
    public double configReloads(final boolean applied)
    {
        return (applied ? root.reloadSuccesses : root.reloadFailures).count();
    }

    private static int framesRejectedIndex(final Side side, final String reason)
    {
        return side.ordinal() * 2 + ("oversize".equals(reason) ? 0 : 1);
    }

    /**
     * The registry the meters live in.
     *
     * @return the registry.
     */
    public MeterRegistry registry()
    {
        return registry;
    }

    /**
     * Counts a rejected frame.
     *
     * @param side   the side that sent it.
     * @param reason {@code oversize} or {@code malformed}.
     */
    public void onFrameRejected(final Side side, final String reason)
    {
        framesRejected[framesRejectedIndex(side, reason)].increment();
    }

    /**
     * Counts a connection that ended in an error.
     *
     * @param side the side whose connection failed.
     */
    public void onConnectionError(final Side side)
    {
        (side == Side.CLIENT ? clientConnectionErrors : brokerConnectionErrors).increment();
    }

    /**
     * Counts a failed connection attempt to a broker.
     */
    public void onBrokerConnectFailed()
    {
        brokerConnectFailures.increment();
    }

    /**
     * Counts a failed TLS handshake with a broker; rare, so its counter is looked up each time.
     *
     * @param broker the broker's {@code host:port}.
     * @param reason why, from a small fixed set (see {@code BrokerTlsHandshakeFailures}).
     */
    public void onBrokerTlsHandshakeFailed(final String broker, final String reason)
    {
        Counter.builder(BROKER_TLS_HANDSHAKE_FAILURES).tag(BROKER, broker).tag(REASON, reason).tags(tags)
            .description("TLS handshakes with a broker that failed").register(registry).increment();
    }

    /**
     * Counts a login of the proxy's own that a broker refused; rare, so its counter is looked up each time.
     *
     * @param broker the broker's {@code host:port}.
     */
    public void onBrokerAuthenticationFailed(final String broker)
    {
        Counter.builder(BROKER_AUTHENTICATION_FAILURES).tag(BROKER, broker).tags(tags)
            .description("SASL logins of the proxy's own that a broker refused").register(registry).increment();
    }

    /**
     * Counts a connection opening.
     *
     * @param side the side of the connection.
     */
    public void onConnectionOpened(final Side side)
    {
        (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).incrementAndGet();
    }

    /**
     * Counts a connection closing.
     *
     * @param side the side of the connection.
     */
    public void onConnectionClosed(final Side side)
    {
        (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).decrementAndGet();
    }

    /**
     * Open connections on one side: on the proxy's object, of every live cluster and those not yet routed.
     *
     * @param side the side.
     * @return the number of open connections.
     */
    public long activeConnections(final Side side)
    {
        long sum = (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).get();
        for (final ProxyMetrics meters : clusters.values())
        {
            sum += meters.activeConnections(side);
        }
        return sum;
    }

    /**
     * Connections that ended in an error so far.
     *
     * @param side the side whose connections failed.
     * @return the count.
     */
    public double connectionErrors(final Side side)
    {
        double sum = (side == Side.CLIENT ? clientConnectionErrors : brokerConnectionErrors).count();
        for (final ProxyMetrics meters : clusters.values())
        {
            sum += meters.connectionErrors(side);
        }
        return sum;
    }

    /**
     * Rejected frames so far.
     *
     * @param side   the side that sent them.
     * @param reason {@code oversize} or {@code malformed}.
     * @return the count.
     */
    public double framesRejected(final Side side, final String reason)
    {
        double sum = framesRejected[framesRejectedIndex(side, reason)].count();
        for (final ProxyMetrics meters : clusters.values())
        {
            sum += meters.framesRejected(side, reason);
        }
        return sum;
    }

    /**
     * Exports the certificates the broker side ({@code upstream.tls}) has just loaded, in place of those it loaded
     * before, under the {@code listener} label {@link #BROKER_TLS_LISTENER}. Called at start and at each reload, by
     * one thread at a time.
     *
     * @param certificates every certificate it loaded; empty when the brokers are reached in plaintext, or trusted
     *                     by the JDK's default authorities only.
     */
    public void onBrokerTlsCertificatesLoaded(final List<CertificateExpiry> certificates)
    {
        root.onTlsCertificatesLoaded(BROKER_TLS_LISTENER, certificates);
    }

    /**
     * Exports the certificates a TLS listener has just loaded, in place of those it loaded before (whose series
     * disappear). Called at start and at each reload, by one thread at a time.
     *
     * @param listener     the listener's name.
     * @param certificates every certificate it loaded; empty when it no longer has TLS.
     */
    public void onTlsCertificatesLoaded(final String listener, final List<CertificateExpiry> certificates)
    {
        root.loadTlsCertificates(listener, certificates);
    }

    private synchronized void loadTlsCertificates(final String listener, final List<CertificateExpiry> certificates)
    {
        final List<Meter.Id> before = tlsCertificateGauges.remove(listener);
        if (before != null)
        {
            before.forEach(registry::remove);
        }
        final List<Meter.Id> registered = new ArrayList<>();
        for (final CertificateExpiry certificate : certificates)
        {
            // A strong reference: nothing else holds the record, and a weakly held gauge would read NaN after a GC.
            registered.add(Gauge.builder(TLS_CERTIFICATE_EXPIRY, certificate, CertificateExpiry::expiryEpochSeconds)
                .strongReference(true)
                .tag(LISTENER, listener)
                .tag(CERTIFICATE, certificate.certificate())
                .tag(SERIAL, certificate.serial())
                .description("When each certificate the proxy loaded expires (by listener, upstream.tls for the brokers' side), " +
                    "seconds since the epoch")
                .register(registry).getId());
        }
        if (!registered.isEmpty())
        {
            tlsCertificateGauges.put(listener, registered);
        }
    }

    /**
     * Counts a client TLS handshake that failed. Any thread.
     *
     * @param listener the listener's name.
     * @param reason   why, e.g. {@code not_tls} or {@code unknown_ca}.
     */
    public void onTlsHandshakeFailed(final String listener, final String reason)
    {
        // Once per failed handshake, never per request: the key string costs less than the handshake did.
        tlsHandshakeFailures.computeIfAbsent(listener + '/' + reason, key -> Counter.builder(TLS_HANDSHAKE_FAILURES)
            .tag(LISTENER, listener)
            .tag(REASON, reason)
            .tags(tags)
            .description("Client TLS handshakes that failed")
            .register(registry)).increment();
    }

    /**
     * Failed client TLS handshakes so far.
     *
     * @param listener the listener's name.
     * @param reason   the reason label.
     * @return the count.
     */
    public double tlsHandshakeFailures(final String listener, final String reason)
    {
        final Counter counter = tlsHandshakeFailures.get(listener + '/' + reason);
        double sum = counter == null ? 0 : counter.count();
        for (final ProxyMetrics meters : clusters.values())
        {
            sum += meters.tlsHandshakeFailures(listener, reason);
        }
        return sum;
    }
}
