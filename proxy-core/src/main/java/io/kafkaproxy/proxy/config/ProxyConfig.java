package io.kafkaproxy.proxy.config;

import io.kafkaproxy.mempool.MemoryPoolSettings;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * @param mirror         produce mirroring to a shadow cluster; null: none. Read through {@link #mirror()} only.
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
    MirrorConfig mirror)
{
    /**
     * Validates the file's sections are present.
     *
     * @throws IllegalArgumentException naming the missing section.
     */
    public ProxyConfig
    {
        if (listener == null)
        {
            throw new IllegalArgumentException("listener: required");
        }
        if (listener.name() == null)
        {
            listener = listener.withName(ListenerConfig.DEFAULT_NAME);
        }
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        checkListeners(listener, listeners);
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream: required");
        }
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
        if (acl == null)
        {
            throw new IllegalArgumentException("acl: required");
        }
        if (audit == null)
        {
            throw new IllegalArgumentException("audit: required");
        }
        if (quotas == null)
        {
            throw new IllegalArgumentException("quotas: required");
        }
        if (circuitBreaker == null)
        {
            throw new IllegalArgumentException("circuitBreaker: required");
        }
        if (gateway == null)
        {
            gateway = GatewayConfig.defaults();
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
     * A proxy with the sections of today without a mirror.
     *
     * @param listener       the first listener.
     * @param listeners      more listeners.
     * @param upstream       the cluster behind the proxy.
     * @param network        threads and connection limits.
     * @param memory         the off-heap pool.
     * @param admin          the admin listener.
     * @param logging        log levels.
     * @param shutdown       the stop's drain.
     * @param acl            the ACL rules.
     * @param audit          the audit log.
     * @param quotas         the quotas.
     * @param circuitBreaker the circuit breakers.
     * @param http           the HTTP gateway, or null.
     * @param mqtt           the MQTT gateway, or null.
     * @param gateway        the gateways' shared settings.
     * @throws IllegalArgumentException naming the first bad section.
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
            http, mqtt, gateway, null);
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
     * Every listener: the {@code listener} section first, then the entries of {@code listeners} in file order.
     *
     * @return the listeners.
     */
    public List<ListenerConfig> allListeners()
    {
        final List<ListenerConfig> all = new ArrayList<>(1 + listeners.size());
        all.add(listener);
        all.addAll(listeners);
        return all;
    }

    private static void checkListeners(final ListenerConfig listener, final List<ListenerConfig> listeners)
    {
        final List<ListenerConfig> all = new ArrayList<>(1 + listeners.size());
        all.add(listener);
        all.addAll(listeners);
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < all.size(); i++)
        {
            final ListenerConfig one = all.get(i);
            final String path = listenerPath(i);
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
                if (port != 0 && port == earlier.bindAddress().port())
                {
                    throw new IllegalArgumentException(path + ".bindAddress: port " + port + " is the bootstrap port of " +
                        listenerPath(j));
                }
                if (port != 0 && earlier.bindsNodePorts() && earlier.nodePorts().contains(port))
                {
                    throw new IllegalArgumentException(path + ".bindAddress: port " + port + " is in the node ports of " +
                        listenerPath(j) + ": " + earlier.nodePorts());
                }
                if (one.bindsNodePorts() && one.nodePorts().contains(earlier.bindAddress().port()))
                {
                    throw new IllegalArgumentException(path + ".nodePorts: range " + one.nodePorts() +
                        " contains the bootstrap port of " + listenerPath(j) + ": " + earlier.bindAddress().port());
                }
                if (one.bindsNodePorts() && earlier.bindsNodePorts() && one.nodePorts().overlaps(earlier.nodePorts()))
                {
                    throw new IllegalArgumentException(path + ".nodePorts: range " + one.nodePorts() +
                        " overlaps the node ports of " + listenerPath(j) + ": " + earlier.nodePorts());
                }
            }
        }
    }

    /**
     * The YAML path of a listener: {@code listener} for the first, {@code listeners[i]} for the others.
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
        return builderOf(listener, listeners, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas,
            circuitBreaker).http(http).mqtt(mqtt).gateway(gateway).mirror(mirror);
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
     * @param mirror         the mirror section, or null.
     * @return the configuration.
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
        @JsonProperty("mirror") final MirrorConfig mirror)
    {
        return builderOf(listener, listeners, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas,
            circuitBreaker).http(http).mqtt(mqtt).gateway(gateway).mirror(mirror).build();
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
         * Fills in the default sections and validates the whole.
         *
         * @return the configuration.
         * @throws IllegalArgumentException naming the first section that is missing or does not fit the others.
         */
        /**
         * Sets the {@code mirror} section.
         *
         * @param section the section, or null for no mirror.
         * @return this builder.
         */
        public Builder mirror(final MirrorConfig section)
        {
            this.mirror = section;
            return this;
        }

        public ProxyConfig build()
        {
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
                mirror);
        }
    }
}
