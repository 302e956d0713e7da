package io.kafkaproxy.proxy.config;

import io.kafkaproxy.mempool.MemoryPoolSettings;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The whole configuration file.
 *
 * @param listener where clients connect: the first listener.
 * @param listeners more listeners beside {@code listener}, each with its own name, ports and advertised host.
 * @param upstream the Kafka cluster behind the proxy.
 * @param network  threads and connection limits.
 * @param memory   the off-heap pool frames live in.
 * @param admin    the HTTP listener for metrics and health.
 * @param logging  log levels.
 * @param shutdown       how a stop drains connections.
 * @param acl            which operations each client may perform.
 * @param audit          the audit log of denies, throttles and rejected connections.
 * @param quotas         rate and connection limits per principal and client address.
 * @param circuitBreaker when the proxy stops connecting to a failing broker.
 * @param http           the HTTP gateway; null: none.
 * @param mqtt           the MQTT gateway; null: none.
 * @param gateway        what the HTTP and MQTT gateways share: their producer and subscription feeds.
 * @param mirror         the first cluster's produce mirroring to a shadow cluster (the top-level {@code mirror}
 *                       section of a one-cluster file); null: none.
 * @param clusters       the virtual clusters, in file order: the {@code clusters} section, or one cluster named
 *                       {@value ClusterConfig#DEFAULT_NAME} made of the top-level {@code listener}, {@code listeners},
 *                       {@code upstream}, {@code acl}, {@code quotas}, {@code circuitBreaker} and {@code mirror} sections. Those
 *                       sections' components are always the first cluster's.
 * @param routing        one address for several clusters, each connection routed by its identity; null: none.
 */
public record ProxyConfig(
    ListenerConfig listener,
    List<ListenerConfig> listeners,
    BrokerClusterConfig upstream,
    NetworkConfig network,
    MemoryConfig memory,
    AdminConfig admin,
    LoggingConfig logging,
    ShutdownConfig shutdown,
    AclConfig acl,
    AuditConfig audit,
    QuotasConfig quotas,
    CircuitBreakerConfig circuitBreaker,
    HttpConfig http,
    MqttConfig mqtt,
    GatewayConfig gateway,
    MirrorConfig mirror,
    List<ClusterConfig> clusters,
    RoutingConfig routing)
{
    /**
     * Validates the file's sections are present.
     *
     * @throws IllegalArgumentException naming the missing section.
     */
    public ProxyConfig
    {
        if (clusters == null || clusters.isEmpty())
        {
            if (listener == null)
            {
                throw new IllegalArgumentException("listener: required");
            }
            if (listener.name() == null)
            {
                listener = listener.withName(ListenerConfig.DEFAULT_NAME);
            }
            if (upstream == null)
            {
                throw new IllegalArgumentException("upstream: required");
            }
            if (acl == null)
            {
                throw new IllegalArgumentException("acl: required");
            }
            if (quotas == null)
            {
                throw new IllegalArgumentException("quotas: required");
            }
            if (circuitBreaker == null)
            {
                throw new IllegalArgumentException("circuitBreaker: required");
            }
            clusters = List.of(new ClusterConfig(ClusterConfig.DEFAULT_NAME, null, upstream, listener, listeners, acl,
                quotas, circuitBreaker, mirror));
        }
        else
        {
            clusters = List.copyOf(clusters);
        }
        // The top-level sections are the first cluster's, so that code serving one cluster reads them as before.
        final ClusterConfig first = clusters.get(0);
        listener = first.listener();
        listeners = first.listeners();
        upstream = first.upstream();
        acl = first.acl();
        quotas = first.quotas();
        circuitBreaker = first.circuitBreaker();
        mirror = first.mirror();
        checkClusters(clusters, routing);
        if (network == null)
        {
            throw new IllegalArgumentException("network: required");
        }
        if (memory == null)
        {
            throw new IllegalArgumentException("memory: required");
        }
        if (admin == null)
        {
            throw new IllegalArgumentException("admin: required");
        }
        if (logging == null)
        {
            throw new IllegalArgumentException("logging: required");
        }
        if (shutdown == null)
        {
            throw new IllegalArgumentException("shutdown: required");
        }
        if (audit == null)
        {
            throw new IllegalArgumentException("audit: required");
        }
        if (gateway == null)
        {
            gateway = GatewayConfig.defaults();
        }
        if (gateway.cluster() != null && clusterIndex(clusters, gateway.cluster()) < 0)
        {
            throw new IllegalArgumentException("gateway.cluster: unknown cluster '" + gateway.cluster() + "'");
        }
        // Each event loop holds a read reserve and a chunk in use; below that the pool cannot serve one read each.
        final long minimumPool = network.ioThreads() *
            ((long)MemoryPoolSettings.defaultReadReserveBytes(memory.chunkSizeBytes()) + memory.chunkSizeBytes()) +
            2L * memory.chunkSizeBytes();
        // The gateway's producer buffer is a slice of the one memory budget: the frames' pool is what is left.
        final long gatewaySlice = http != null || mqtt != null ? gateway.producer().bufferMemoryBytes() : 0;
        if (gatewaySlice > 0 && memory.poolSizeBytes() - gatewaySlice < minimumPool)
        {
            throw new IllegalArgumentException("gateway.producer.bufferMemory: " + Units.formatBytes(gatewaySlice) +
                " leaves less than " + Units.formatBytes(minimumPool) + " of memory.poolSizeBytes " +
                Units.formatBytes(memory.poolSizeBytes()) + " for Kafka frames");
        }
        // The mirror's slice, like the gateway's, is taken out of the one budget (issue 14).
        final long mirrorSlice = mirror == null ? 0 : mirrorSliceBytes(mirror, memory);
        if (mirrorSlice > 0 && memory.poolSizeBytes() - gatewaySlice - mirrorSlice < minimumPool)
        {
            throw new IllegalArgumentException(MirrorConfig.PATH + ".memory: " + Units.formatBytes(mirror.memoryBytes()) +
                (gatewaySlice > 0 ? " and gateway.producer.bufferMemory " + Units.formatBytes(gatewaySlice) : "") +
                " leave less than " + Units.formatBytes(minimumPool) + " of memory.poolSizeBytes " +
                Units.formatBytes(memory.poolSizeBytes()) + " for Kafka frames");
        }
        // Each mirror's slice, like the gateway's, is taken out of the one budget.
        long mirrorSlices = 0;
        String mirrorPaths = "";
        for (int c = 0; c < clusters.size(); c++)
        {
            final MirrorConfig clusterMirror = clusters.get(c).mirror();
            if (clusterMirror != null)
            {
                mirrorSlices += mirrorSliceBytes(clusterMirror, memory);
                mirrorPaths += (mirrorPaths.isEmpty() ? "" : ", ") + clusterPath(clusters, c) + MirrorConfig.PATH + ".memory " +
                    Units.formatBytes(clusterMirror.memoryBytes());
            }
        }
        if (mirrorSlices > 0 && memory.poolSizeBytes() - gatewaySlice - mirrorSlices < minimumPool)
        {
            throw new IllegalArgumentException(mirrorPaths +
                (gatewaySlice > 0 ? " and gateway.producer.bufferMemory " + Units.formatBytes(gatewaySlice) : "") +
                " leave less than " + Units.formatBytes(minimumPool) + " of memory.poolSizeBytes " +
                Units.formatBytes(memory.poolSizeBytes()) + " for Kafka frames");
        }
        if (memory.poolSizeBytes() < minimumPool)
        {
            throw new IllegalArgumentException("memory.poolSizeBytes: " + Units.formatBytes(memory.poolSizeBytes()) +
                " cannot serve " + network.ioThreads() + " I/O threads with chunks of " +
                Units.formatBytes(memory.chunkSizeBytes()) + "; at least " + Units.formatBytes(minimumPool));
        }
        // The largest frame must fit in the pool with room to spare, so that it can be served once others leave.
        if (network.maxRequestSizeBytes() > memory.poolSizeBytes() / 2)
        {
            throw new IllegalArgumentException("network.maxRequestSizeBytes: " + Units.formatBytes(network.maxRequestSizeBytes()) +
                " is more than half of memory.poolSizeBytes " + Units.formatBytes(memory.poolSizeBytes()));
        }
        if (network.maxResponseSizeBytes() > memory.poolSizeBytes() / 2)
        {
            throw new IllegalArgumentException("network.maxResponseSizeBytes: " + Units.formatBytes(network.maxResponseSizeBytes()) +
                " is more than half of memory.poolSizeBytes " + Units.formatBytes(memory.poolSizeBytes()));
        }
    }

    /**
     * The configuration of a file before virtual clusters: its top-level sections read as the one cluster.
     *
     * @param listener       the first listener.
     * @param listeners      more listeners.
     * @param upstream       the Kafka cluster behind the proxy.
     * @param network        threads and connection limits.
     * @param memory         the off-heap pool.
     * @param admin          the HTTP listener for metrics and health.
     * @param logging        log levels.
     * @param shutdown       how a stop drains connections.
     * @param acl            the ACL rules.
     * @param audit          the audit log.
     * @param quotas         the quotas.
     * @param circuitBreaker the circuit breaker settings.
     * @param http           the HTTP gateway; null: none.
     * @param mqtt           the MQTT gateway; null: none.
     * @param gateway        what the gateways share.
     * @throws IllegalArgumentException naming the missing section.
     */
    public ProxyConfig(
        final ListenerConfig listener,
        final List<ListenerConfig> listeners,
        final BrokerClusterConfig upstream,
        final NetworkConfig network,
        final MemoryConfig memory,
        final AdminConfig admin,
        final LoggingConfig logging,
        final ShutdownConfig shutdown,
        final AclConfig acl,
        final AuditConfig audit,
        final QuotasConfig quotas,
        final CircuitBreakerConfig circuitBreaker,
        final HttpConfig http,
        final MqttConfig mqtt,
        final GatewayConfig gateway)
    {
        this(listener, listeners, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas, circuitBreaker,
            http, mqtt, gateway, null, null, null);
    }

    /**
     * The mirror's slice of {@code memory.poolSize}: its {@code memory} rounded up to whole chunks, as pools are made
     * of them.
     *
     * @param mirror the mirror section.
     * @param memory the memory section.
     * @return the slice in bytes.
     */
    public static long mirrorSliceBytes(final MirrorConfig mirror, final MemoryConfig memory)
    {
        final long chunk = memory.chunkSizeBytes();
        // A pool needs a read reserve and two chunks at least (MemoryPoolSettings).
        final long least = 2L * chunk + MemoryPoolSettings.defaultReadReserveBytes(memory.chunkSizeBytes());
        return Math.max(least, (mirror.memoryBytes() + chunk - 1) / chunk * chunk);
    }

    /**
     * The slices of every cluster's mirror, taken out of {@code memory.poolSize}.
     *
     * @return the bytes, 0 without mirrors.
     */
    public long mirrorSlicesBytes()
    {
        long slices = 0;
        for (final ClusterConfig cluster : clusters)
        {
            slices += cluster.mirror() == null ? 0 : mirrorSliceBytes(cluster.mirror(), memory);
        }
        return slices;
    }

    /**
     * Every listener of the first cluster: the {@code listener} section first, then the entries of {@code listeners}
     * in file order.
     *
     * @return the listeners.
     */
    public List<ListenerConfig> allListeners()
    {
        return clusters.get(0).allListeners();
    }

    /**
     * Whether the file is in the form before virtual clusters: its top-level sections make its one cluster, and
     * its YAML paths are {@code listener.bindAddress} rather than {@code clusters[0].listener.bindAddress}. A
     * {@code clusters} list of one cluster named {@value ClusterConfig#DEFAULT_NAME} without a cluster id is the same
     * configuration.
     *
     * @return true for a file of one cluster in the top-level sections.
     */
    public boolean singleClusterForm()
    {
        return isSingleClusterForm(clusters);
    }

    private static boolean isSingleClusterForm(final List<ClusterConfig> clusters)
    {
        return clusters.size() == 1 && clusters.get(0).name().equals(ClusterConfig.DEFAULT_NAME) &&
            clusters.get(0).clusterId() == null;
    }

    /**
     * The YAML path of a cluster: empty for the one cluster of the top-level sections, else {@code clusters[i].}.
     *
     * @param clusterIndex the cluster's place in {@link #clusters()}.
     * @return the path, ending with a dot unless empty.
     */
    public String clusterPath(final int clusterIndex)
    {
        return clusterPath(clusters, clusterIndex);
    }

    private static String clusterPath(final List<ClusterConfig> clusters, final int clusterIndex)
    {
        return isSingleClusterForm(clusters) ? "" : "clusters[" + clusterIndex + "].";
    }

    /**
     * A cluster by name.
     *
     * @param name the cluster's name.
     * @return the cluster, or null when none has that name.
     */
    public ClusterConfig cluster(final String name)
    {
        final int index = clusterIndex(clusters, name);
        return index < 0 ? null : clusters.get(index);
    }

    /**
     * The cluster the HTTP and MQTT gateways serve: {@code gateway.cluster}, else the first.
     *
     * @return the cluster.
     */
    public ClusterConfig gatewayCluster()
    {
        return gateway.cluster() == null ? clusters.get(0) : cluster(gateway.cluster());
    }

    private static int clusterIndex(final List<ClusterConfig> clusters, final String name)
    {
        for (int i = 0; i < clusters.size(); i++)
        {
            if (clusters.get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    private static void checkClusters(final List<ClusterConfig> clusters, final RoutingConfig routing)
    {
        final Set<String> clusterNames = new HashSet<>();
        final List<ListenerConfig> all = new ArrayList<>();
        final List<String> paths = new ArrayList<>();
        for (int c = 0; c < clusters.size(); c++)
        {
            final ClusterConfig cluster = clusters.get(c);
            final String clusterPath = clusterPath(clusters, c);
            if (!clusterNames.add(cluster.name()))
            {
                throw new IllegalArgumentException(clusterPath + "name: another cluster has the name " + cluster.name());
            }
            final List<ListenerConfig> listeners = cluster.allListeners();
            for (int i = 0; i < listeners.size(); i++)
            {
                all.add(listeners.get(i));
                paths.add(clusterPath + listenerPath(i));
            }
        }
        if (routing != null)
        {
            // A bootstrap address only: no node ports of its own.
            all.add(routing.listener().withNodePorts(new NodePortsConfig(0, 1)));
            paths.add("routing.listener");
            for (int i = 0; i < routing.rules().size(); i++)
            {
                if (clusterIndex(clusters, routing.rules().get(i).cluster()) < 0)
                {
                    throw new IllegalArgumentException("routing.rules[" + i + "].cluster: unknown cluster '" +
                        routing.rules().get(i).cluster() + "'");
                }
            }
            if (routing.defaultCluster() != null && clusterIndex(clusters, routing.defaultCluster()) < 0)
            {
                throw new IllegalArgumentException("routing.defaultCluster: unknown cluster '" + routing.defaultCluster() + "'");
            }
            if (routing.listener().sasl() != null)
            {
                checkRoutedSasl(clusters, routing);
            }
        }
        checkListeners(all, paths);
    }

    private static void checkRoutedSasl(final List<ClusterConfig> clusters, final RoutingConfig routing)
    {
        // A client logged in at the routing listener connects next to its cluster's node ports, which the cluster's
        // first listener serves: it must log in there too, with the same credentials.
        final List<String> reached = new ArrayList<>();
        routing.rules().forEach(rule -> reached.add(rule.cluster()));
        if (routing.defaultCluster() != null)
        {
            reached.add(routing.defaultCluster());
        }
        for (final String name : reached)
        {
            final int index = clusterIndex(clusters, name);
            if (clusters.get(index).allListeners().get(0).sasl() == null)
            {
                throw new IllegalArgumentException("routing.listener.sasl: cluster '" + name + "' reached by the rules does " +
                    "not terminate SASL on its first listener (" + clusterPath(clusters, index) + "listener.sasl); a client " +
                    "logged in here logs in there on its next connections");
            }
        }
    }

    /**
     * Checks that listeners share no name and no port.
     *
     * @param all   the listeners, of every cluster.
     * @param paths the YAML path of each.
     * @throws IllegalArgumentException naming the path of the first listener that clashes with an earlier one.
     */
    private static void checkListeners(final List<ListenerConfig> all, final List<String> paths)
    {
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < all.size(); i++)
        {
            final ListenerConfig one = all.get(i);
            final String path = paths.get(i);
            if (one.name() == null)
            {
                throw new IllegalArgumentException(path + ".name: required");
            }
            if (!names.add(one.name()))
            {
                throw new IllegalArgumentException(path + ".name: another listener has the name " + one.name());
            }
            for (int j = 0; j < i; j++)
            {
                // Bootstrap and node ports of every listener share the host's port space: none may take another's.
                final ListenerConfig earlier = all.get(j);
                final int port = one.bindAddress().port();
                if (port != 0 && port == earlier.bindAddress().port() && sharesSniPort(one, earlier))
                {
                    // Listeners routed by SNI share one socket: the ClientHello's server name picks the listener.
                    continue;
                }
                if (port != 0 && port == earlier.bindAddress().port())
                {
                    throw new IllegalArgumentException(path + ".bindAddress: port " + port + " is the bootstrap port of " +
                        paths.get(j));
                }
                if (port != 0 && earlier.bindsNodePorts() && earlier.nodePorts().contains(port))
                {
                    throw new IllegalArgumentException(path + ".bindAddress: port " + port + " is in the node ports of " +
                        paths.get(j) + ": " + earlier.nodePorts());
                }
                if (one.bindsNodePorts() && one.nodePorts().contains(earlier.bindAddress().port()))
                {
                    throw new IllegalArgumentException(path + ".nodePorts: range " + one.nodePorts() +
                        " contains the bootstrap port of " + paths.get(j) + ": " + earlier.bindAddress().port());
                }
                if (one.bindsNodePorts() && earlier.bindsNodePorts() && one.nodePorts().overlaps(earlier.nodePorts()))
                {
                    throw new IllegalArgumentException(path + ".nodePorts: range " + one.nodePorts() +
                        " overlaps the node ports of " + paths.get(j) + ": " + earlier.nodePorts());
                }
            }
        }
    }

    /**
     * Whether two listeners on the same port may share its socket: both routed by SNI, on the same bind address,
     * with host names that no server name can match in both.
     */
    private static boolean sharesSniPort(final ListenerConfig one, final ListenerConfig other)
    {
        if (one.bindsNodePorts() || other.bindsNodePorts() || !one.bindAddress().equals(other.bindAddress()))
        {
            return false;
        }
        final SniConfig a = one.tls().sni();
        final SniConfig b = other.tls().sni();
        return !a.bootstrapHost().equalsIgnoreCase(b.bootstrapHost()) && !matchesNodeHost(a.bootstrapHost(), b) &&
            !matchesNodeHost(b.bootstrapHost(), a) && !nodeHostsOverlap(a, b);
    }

    private static boolean matchesNodeHost(final String host, final SniConfig sni)
    {
        final String pattern = sni.nodeHostPattern();
        final int at = pattern.indexOf(SniConfig.NODE_ID);
        final String prefix = pattern.substring(0, at).toLowerCase(Locale.ROOT);
        final String suffix = pattern.substring(at + SniConfig.NODE_ID.length()).toLowerCase(Locale.ROOT);
        final String name = host.toLowerCase(Locale.ROOT);
        return name.length() > prefix.length() + suffix.length() && name.startsWith(prefix) && name.endsWith(suffix) &&
            name.substring(prefix.length(), name.length() - suffix.length()).chars().allMatch(Character::isDigit);
    }

    private static boolean nodeHostsOverlap(final SniConfig a, final SniConfig b)
    {
        // Conservative: two patterns whose fixed parts could both fit one name are taken to overlap.
        final String patternA = a.nodeHostPattern();
        final String patternB = b.nodeHostPattern();
        final int atA = patternA.indexOf(SniConfig.NODE_ID);
        final int atB = patternB.indexOf(SniConfig.NODE_ID);
        final String prefixA = patternA.substring(0, atA).toLowerCase(Locale.ROOT);
        final String prefixB = patternB.substring(0, atB).toLowerCase(Locale.ROOT);
        final String suffixA = patternA.substring(atA + SniConfig.NODE_ID.length()).toLowerCase(Locale.ROOT);
        final String suffixB = patternB.substring(atB + SniConfig.NODE_ID.length()).toLowerCase(Locale.ROOT);
        return (prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA)) &&
            (suffixA.endsWith(suffixB) || suffixB.endsWith(suffixA));
    }

    /**
     * The YAML path of a listener inside its cluster: {@code listener} for the first, {@code listeners[i]} for the
     * others.
     *
     * @param index the listener's place in {@link #allListeners()}.
     * @return the path.
     */
    public static String listenerPath(final int index)
    {
        return index == 0 ? "listener" : "listeners[" + (index - 1) + "]";
    }

    /**
     * Starts a configuration of the cluster behind the proxy; every other section defaults until it is set.
     *
     * @param upstream the upstream section (required).
     * @return a builder.
     */
    public static Builder builder(final BrokerClusterConfig upstream)
    {
        return new Builder().upstream(upstream);
    }

    /**
     * Starts a configuration from this one, to change some of its sections.
     *
     * @return a builder holding every section of this configuration.
     */
    public Builder toBuilder()
    {
        if (singleClusterForm())
        {
            return builderOf(listener, listeners, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas,
                circuitBreaker).http(http).mqtt(mqtt).gateway(gateway).mirror(mirror).routing(routing);
        }
        return builderOf(null, null, null, network, memory, admin, logging, shutdown, null, audit, null, null)
            .clusters(clusters).http(http).mqtt(mqtt).gateway(gateway).routing(routing);
    }

    private static Builder builderOf(
        final ListenerConfig listener,
        final List<ListenerConfig> listeners,
        final BrokerClusterConfig upstream,
        final NetworkConfig network,
        final MemoryConfig memory,
        final AdminConfig admin,
        final LoggingConfig logging,
        final ShutdownConfig shutdown,
        final AclConfig acl,
        final AuditConfig audit,
        final QuotasConfig quotas,
        final CircuitBreakerConfig circuitBreaker)
    {
        return new Builder()
            .listener(listener)
            .listeners(listeners)
            .upstream(upstream)
            .network(network)
            .memory(memory)
            .admin(admin)
            .logging(logging)
            .shutdown(shutdown)
            .acl(acl)
            .audit(audit)
            .quotas(quotas)
            .circuitBreaker(circuitBreaker);
    }

    /**
     * Reads the file, filling in default sections.
     *
     * @param listener       the listener section, or null.
     * @param listeners      the listeners section, or null.
     * @param upstream       the upstream section (required).
     * @param network        the network section, or null.
     * @param memory         the memory section, or null.
     * @param admin          the admin section, or null.
     * @param logging        the logging section, or null.
     * @param shutdown       the shutdown section, or null.
     * @param acl            the acl section, or null.
     * @param audit          the audit section, or null.
     * @param quotas         the quotas section, or null.
     * @param circuitBreaker the circuit breaker section, or null.
     * @param http           the http section, or null.
     * @param mqtt           the mqtt section, or null.
     * @param gateway        the gateway section, or null.
     * @param mirror         the mirror section of a one-cluster file, or null.
     * @param clusters       the clusters section, or null for one cluster made of the top-level sections.
     * @param routing        the routing section, or null.
     * @return the configuration.
     * @throws IllegalArgumentException naming the path of the first bad value, {@code clusters} when the file has
     *                                  both that section and the top-level sections of one cluster.
     */
    @JsonCreator
    public static ProxyConfig of(
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("listeners") final List<ListenerConfig> listeners,
        @JsonProperty("upstream") final BrokerClusterConfig upstream,
        @JsonProperty("network") final NetworkConfig network,
        @JsonProperty("memory") final MemoryConfig memory,
        @JsonProperty("admin") final AdminConfig admin,
        @JsonProperty("logging") final LoggingConfig logging,
        @JsonProperty("shutdown") final ShutdownConfig shutdown,
        @JsonProperty("acl") final AclConfig acl,
        @JsonProperty("audit") final AuditConfig audit,
        @JsonProperty("quotas") final QuotasConfig quotas,
        @JsonProperty("circuitBreaker") final CircuitBreakerConfig circuitBreaker,
        @JsonProperty("http") final HttpConfig http,
        @JsonProperty("mqtt") final MqttConfig mqtt,
        @JsonProperty("gateway") final GatewayConfig gateway,
        @JsonProperty("mirror") final MirrorConfig mirror,
        @JsonProperty("clusters") final List<ClusterConfig> clusters,
        @JsonProperty("routing") final RoutingConfig routing)
    {
        if (clusters != null)
        {
            if (clusters.isEmpty())
            {
                throw new IllegalArgumentException("clusters: at least one cluster");
            }
            if (listener != null || listeners != null || upstream != null || acl != null || quotas != null ||
                circuitBreaker != null || mirror != null)
            {
                throw new IllegalArgumentException("clusters: a file has either clusters or the top-level listener, " +
                    "listeners, upstream, acl, quotas, circuitBreaker and mirror sections of one cluster, not both");
            }
        }
        return builderOf(listener, listeners, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas,
            circuitBreaker).http(http).mqtt(mqtt).gateway(gateway).clusters(clusters).mirror(mirror).routing(routing).build();
    }

    /**
     * Describes a configuration section by section; a section left unset (or set to null) takes its defaults.
     *
     * <p>Not thread safe: one thread builds, then {@link #build()} validates the whole.
     */
    public static final class Builder
    {
        private ListenerConfig listener;
        private List<ListenerConfig> listeners;
        private BrokerClusterConfig upstream;
        private NetworkConfig network;
        private MemoryConfig memory;
        private AdminConfig admin;
        private LoggingConfig logging;
        private ShutdownConfig shutdown;
        private AclConfig acl;
        private AuditConfig audit;
        private QuotasConfig quotas;
        private CircuitBreakerConfig circuitBreaker;
        private HttpConfig http;
        private MqttConfig mqtt;
        private GatewayConfig gateway;
        private List<ClusterConfig> clusters;
        private RoutingConfig routing;
        private MirrorConfig mirror;

        private Builder()
        {
        }

        /**
         * Sets the listener section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder listener(final ListenerConfig section)
        {
            this.listener = section;
            return this;
        }

        /**
         * Sets the listeners section: the listeners beside {@code listener}.
         *
         * @param section the listeners, or null for none.
         * @return this builder.
         */
        public Builder listeners(final List<ListenerConfig> section)
        {
            this.listeners = section;
            return this;
        }

        /**
         * Sets the upstream section.
         *
         * @param section the section (required by {@link #build()}).
         * @return this builder.
         */
        public Builder upstream(final BrokerClusterConfig section)
        {
            this.upstream = section;
            return this;
        }

        /**
         * Sets the network section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder network(final NetworkConfig section)
        {
            this.network = section;
            return this;
        }

        /**
         * Sets the memory section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder memory(final MemoryConfig section)
        {
            this.memory = section;
            return this;
        }

        /**
         * Sets the admin section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder admin(final AdminConfig section)
        {
            this.admin = section;
            return this;
        }

        /**
         * Sets the logging section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder logging(final LoggingConfig section)
        {
            this.logging = section;
            return this;
        }

        /**
         * Sets the shutdown section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder shutdown(final ShutdownConfig section)
        {
            this.shutdown = section;
            return this;
        }

        /**
         * Sets the acl section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder acl(final AclConfig section)
        {
            this.acl = section;
            return this;
        }

        /**
         * Sets the audit section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder audit(final AuditConfig section)
        {
            this.audit = section;
            return this;
        }

        /**
         * Sets the quotas section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder quotas(final QuotasConfig section)
        {
            this.quotas = section;
            return this;
        }

        /**
         * Sets the circuit breaker section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder circuitBreaker(final CircuitBreakerConfig section)
        {
            this.circuitBreaker = section;
            return this;
        }

        /**
         * Sets the http section.
         *
         * @param section the section, or null for no HTTP gateway.
         * @return this builder.
         */
        public Builder http(final HttpConfig section)
        {
            this.http = section;
            return this;
        }

        /**
         * Sets the mqtt section.
         *
         * @param section the section, or null for no MQTT gateway.
         * @return this builder.
         */
        public Builder mqtt(final MqttConfig section)
        {
            this.mqtt = section;
            return this;
        }

        /**
         * Sets the gateway section.
         *
         * @param section the section, or null for its defaults.
         * @return this builder.
         */
        public Builder gateway(final GatewayConfig section)
        {
            this.gateway = section;
            return this;
        }

        /**
         * Sets the clusters section, forgetting the top-level cluster sections set so far; those set afterwards
         * ({@code listener}, {@code listeners}, {@code upstream}, {@code acl}, {@code quotas}, {@code circuitBreaker})
         * replace the first cluster's.
         *
         * @param section the clusters, or null to leave the builder as it is.
         * @return this builder.
         */
        public Builder clusters(final List<ClusterConfig> section)
        {
            if (section != null)
            {
                this.clusters = section;
                this.listener = null;
                this.listeners = null;
                this.upstream = null;
                this.acl = null;
                this.quotas = null;
                this.circuitBreaker = null;
                this.mirror = null;
            }
            return this;
        }

        /**
         * Sets the {@code mirror} section: the first cluster's.
         *
         * @param section the section, or null for no mirror (or, after {@link #clusters}, the first cluster's own).
         * @return this builder.
         */
        public Builder mirror(final MirrorConfig section)
        {
            this.mirror = section;
            return this;
        }

        /**
         * Sets the routing section.
         *
         * @param section the section, or null for none.
         * @return this builder.
         */
        public Builder routing(final RoutingConfig section)
        {
            this.routing = section;
            return this;
        }

        /**
         * Fills in the default sections and validates the whole.
         *
         * @return the configuration.
         * @throws IllegalArgumentException naming the first section that is missing or does not fit the others.
         */
        public ProxyConfig build()
        {
            if (clusters != null && !clusters.isEmpty())
            {
                final List<ClusterConfig> entries = new ArrayList<>(clusters);
                entries.set(0, entries.get(0).with(listener, listeners, upstream, acl, quotas, circuitBreaker));
                if (mirror != null)
                {
                    entries.set(0, entries.get(0).withMirror(mirror));
                }
                final ClusterConfig first = entries.get(0);
                return new ProxyConfig(
                    first.listener(),
                    first.listeners(),
                    first.upstream(),
                    network == null ? NetworkConfig.defaults() : network,
                    memory == null ? MemoryConfig.defaults() : memory,
                    admin == null ? AdminConfig.defaults() : admin,
                    logging == null ? LoggingConfig.defaults() : logging,
                    shutdown == null ? ShutdownConfig.defaults() : shutdown,
                    first.acl(),
                    audit == null ? AuditConfig.defaults() : audit,
                    first.quotas(),
                    first.circuitBreaker(),
                    http,
                    mqtt,
                    gateway == null ? GatewayConfig.defaults() : gateway,
                    first.mirror(),
                    entries,
                    routing);
            }
            if (upstream == null)
            {
                throw new IllegalArgumentException("upstream.bootstrapServers: required: at least one host:port");
            }
            return new ProxyConfig(
                listener == null ? ListenerConfig.of(null, null, null) : listener,
                listeners == null ? List.of() : listeners,
                upstream,
                network == null ? NetworkConfig.defaults() : network,
                memory == null ? MemoryConfig.defaults() : memory,
                admin == null ? AdminConfig.defaults() : admin,
                logging == null ? LoggingConfig.defaults() : logging,
                shutdown == null ? ShutdownConfig.defaults() : shutdown,
                acl == null ? AclConfig.defaults() : acl,
                audit == null ? AuditConfig.defaults() : audit,
                quotas == null ? QuotasConfig.defaults() : quotas,
                circuitBreaker == null ? CircuitBreakerConfig.defaults() : circuitBreaker,
                http,
                mqtt,
                gateway == null ? GatewayConfig.defaults() : gateway,
                mirror,
                null,
                routing);
        }
    }
}
