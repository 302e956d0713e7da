package io.kafkaproxy.proxy.config;

import io.kafkaproxy.mempool.MemoryPoolSettings;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The whole configuration file.
 *
 * @param listener where clients connect.
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
 */
public record ProxyConfig(
    ListenerConfig listener,
    BrokerClusterConfig upstream,
    NetworkConfig network,
    MemoryConfig memory,
    AdminConfig admin,
    LoggingConfig logging,
    ShutdownConfig shutdown,
    AclConfig acl,
    AuditConfig audit,
    QuotasConfig quotas,
    CircuitBreakerConfig circuitBreaker)
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
        // Each event loop holds a read reserve and a chunk in use; below that the pool cannot serve one read each.
        final long minimumPool = network.ioThreads() *
            ((long)MemoryPoolSettings.defaultReadReserveBytes(memory.chunkSizeBytes()) + memory.chunkSizeBytes()) +
            2L * memory.chunkSizeBytes();
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
     * Builds a configuration from its Kafka-facing sections, with defaults for the rest.
     *
     * @param listener the listener section, or null.
     * @param upstream the upstream section (required).
     * @param network  the network section, or null.
     * @param memory   the memory section, or null.
     * @return the configuration.
     */
    public static ProxyConfig of(
        final ListenerConfig listener,
        final BrokerClusterConfig upstream,
        final NetworkConfig network,
        final MemoryConfig memory)
    {
        return of(listener, upstream, network, memory, null, null, null);
    }

    /**
     * Builds a configuration from its Kafka-facing and operating sections, with default policy sections (audit,
     * quotas, circuit breaker).
     *
     * @param listener the listener section, or null.
     * @param upstream the upstream section (required).
     * @param network  the network section, or null.
     * @param memory   the memory section, or null.
     * @param admin    the admin section, or null.
     * @param logging  the logging section, or null.
     * @param shutdown the shutdown section, or null.
     * @return the configuration.
     */
    public static ProxyConfig of(
        final ListenerConfig listener,
        final BrokerClusterConfig upstream,
        final NetworkConfig network,
        final MemoryConfig memory,
        final AdminConfig admin,
        final LoggingConfig logging,
        final ShutdownConfig shutdown)
    {
        return of(listener, upstream, network, memory, admin, logging, shutdown, null, null, null, null);
    }

    /**
     * Reads the file, filling in default sections.
     *
     * @param listener       the listener section, or null.
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
     * @return the configuration.
     */
    @JsonCreator
    public static ProxyConfig of(
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("upstream") final BrokerClusterConfig upstream,
        @JsonProperty("network") final NetworkConfig network,
        @JsonProperty("memory") final MemoryConfig memory,
        @JsonProperty("admin") final AdminConfig admin,
        @JsonProperty("logging") final LoggingConfig logging,
        @JsonProperty("shutdown") final ShutdownConfig shutdown,
        @JsonProperty("acl") final AclConfig acl,
        @JsonProperty("audit") final AuditConfig audit,
        @JsonProperty("quotas") final QuotasConfig quotas,
        @JsonProperty("circuitBreaker") final CircuitBreakerConfig circuitBreaker)
    {
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream.bootstrapServers: required: at least one host:port");
        }
        return new ProxyConfig(
            listener == null ? ListenerConfig.of(null, null, null) : listener,
            upstream,
            network == null ? NetworkConfig.defaults() : network,
            memory == null ? MemoryConfig.defaults() : memory,
            admin == null ? AdminConfig.defaults() : admin,
            logging == null ? LoggingConfig.defaults() : logging,
            shutdown == null ? ShutdownConfig.defaults() : shutdown,
            acl == null ? AclConfig.defaults() : acl,
            audit == null ? AuditConfig.defaults() : audit,
            quotas == null ? QuotasConfig.defaults() : quotas,
            circuitBreaker == null ? CircuitBreakerConfig.defaults() : circuitBreaker);
    }

    /**
     * The same configuration with another listener section.
     *
     * @param newListener the section.
     * @return the new configuration.
     */
    public ProxyConfig withListener(final ListenerConfig newListener)
    {
        return new ProxyConfig(newListener, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another upstream section.
     *
     * @param newBrokerCluster the section.
     * @return the new configuration.
     */
    public ProxyConfig withBrokerCluster(final BrokerClusterConfig newBrokerCluster)
    {
        return new ProxyConfig(listener, newBrokerCluster, network, memory, admin, logging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another memory section.
     *
     * @param newMemory the section.
     * @return the new configuration.
     */
    public ProxyConfig withMemory(final MemoryConfig newMemory)
    {
        return new ProxyConfig(listener, upstream, network, newMemory, admin, logging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another network section.
     *
     * @param newNetwork the section.
     * @return the new configuration.
     */
    public ProxyConfig withNetwork(final NetworkConfig newNetwork)
    {
        return new ProxyConfig(listener, upstream, newNetwork, memory, admin, logging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another admin section.
     *
     * @param newAdmin the section.
     * @return the new configuration.
     */
    public ProxyConfig withAdmin(final AdminConfig newAdmin)
    {
        return new ProxyConfig(listener, upstream, network, memory, newAdmin, logging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another logging section.
     *
     * @param newLogging the section.
     * @return the new configuration.
     */
    public ProxyConfig withLogging(final LoggingConfig newLogging)
    {
        return new ProxyConfig(listener, upstream, network, memory, admin, newLogging, shutdown, acl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another acl section.
     *
     * @param newAcl the section.
     * @return the new configuration.
     */
    public ProxyConfig withAcl(final AclConfig newAcl)
    {
        return new ProxyConfig(listener, upstream, network, memory, admin, logging, shutdown, newAcl, audit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another audit section.
     *
     * @param newAudit the section.
     * @return the new configuration.
     */
    public ProxyConfig withAudit(final AuditConfig newAudit)
    {
        return new ProxyConfig(listener, upstream, network, memory, admin, logging, shutdown, acl, newAudit, quotas, circuitBreaker);
    }

    /**
     * The same configuration with another quotas section.
     *
     * @param newQuotas the section.
     * @return the new configuration.
     */
    public ProxyConfig withQuotas(final QuotasConfig newQuotas)
    {
        return new ProxyConfig(listener, upstream, network, memory, admin, logging, shutdown, acl, audit, newQuotas, circuitBreaker);
    }

    /**
     * The same configuration with another circuit breaker section.
     *
     * @param newCircuitBreaker the section.
     * @return the new configuration.
     */
    public ProxyConfig withCircuitBreaker(final CircuitBreakerConfig newCircuitBreaker)
    {
        return new ProxyConfig(listener, upstream, network, memory, admin, logging, shutdown, acl, audit, quotas, newCircuitBreaker);
    }
}
