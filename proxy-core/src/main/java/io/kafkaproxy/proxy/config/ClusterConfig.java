package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of the {@code clusters} section: a virtual cluster, what clients see as one Kafka cluster, with the
 * upstream cluster behind it, its client-facing listeners and its own policy sections. A file without
 * {@code clusters} is read as one cluster named {@value #DEFAULT_NAME} made of its top-level sections.
 *
 * <p>The messages of its checks name paths inside the entry ({@code name}, {@code listener.bindAddress}); the
 * parser puts the entry's place ({@code clusters[1]}) in front.
 *
 * @param name           the cluster's name, {@code [a-z0-9][a-z0-9-]*}, unique in the file: the {@code cluster} tag
 *                       of its meters. Required in a {@code clusters} entry.
 * @param clusterId      the cluster id clients see; null: derived from the name.
 * @param upstream       the Kafka cluster behind it (required).
 * @param listener       where its clients connect: its first listener; unnamed, it takes the cluster's name.
 *                       Default: {@code 0.0.0.0:9092}.
 * @param listeners      more listeners of this cluster; none by default.
 * @param acl            its ACL rules; default: the section's defaults.
 * @param quotas         its quotas; default: none.
 * @param circuitBreaker its circuit breaker settings; default: the section's defaults.
 * @param mirror         its produce mirroring to a shadow cluster; null: none.
 */
public record ClusterConfig(
    String name,
    String clusterId,
    BrokerClusterConfig upstream,
    ListenerConfig listener,
    List<ListenerConfig> listeners,
    AclConfig acl,
    QuotasConfig quotas,
    CircuitBreakerConfig circuitBreaker,
    MirrorConfig mirror)
{
    /** The name of the one cluster of a file without a {@code clusters} section. */
    public static final String DEFAULT_NAME = "default";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /**
     * Validates the entry and fills in its defaults.
     *
     * @throws IllegalArgumentException naming the path, inside the entry, of the first bad value.
     */
    public ClusterConfig
    {
        if (name == null)
        {
            throw new IllegalArgumentException("name: required");
        }
        if (!NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("name: lower-case letters, digits and '-', starting with a letter or digit: " +
                name);
        }
        if (clusterId != null && clusterId.isBlank())
        {
            throw new IllegalArgumentException("clusterId: must not be blank");
        }
        if (upstream == null)
        {
            throw new IllegalArgumentException("upstream.bootstrapServers: required: at least one host:port");
        }
        if (listener == null)
        {
            listener = ListenerConfig.of(null, null, null);
        }
        if (listener.name() == null || listener.name().equals(ListenerConfig.DEFAULT_NAME) && !name.equals(DEFAULT_NAME))
        {
            // Listener names are unique across the proxy; an unnamed listener of the cluster takes the cluster's.
            listener = listener.withName(name);
        }
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        acl = acl == null ? AclConfig.defaults() : acl;
        quotas = quotas == null ? QuotasConfig.defaults() : quotas;
        circuitBreaker = circuitBreaker == null ? CircuitBreakerConfig.defaults() : circuitBreaker;
    }

    /**
     * An entry without a mirror.
     *
     * @param name           the name.
     * @param clusterId      the cluster id, or null.
     * @param upstream       the upstream section.
     * @param listener       the listener section, or null.
     * @param listeners      the listeners section, or null.
     * @param acl            the acl section, or null.
     * @param quotas         the quotas section, or null.
     * @param circuitBreaker the circuit breaker section, or null.
     * @throws IllegalArgumentException naming the path, inside the entry, of the first bad value.
     */
    public ClusterConfig(
        final String name,
        final String clusterId,
        final BrokerClusterConfig upstream,
        final ListenerConfig listener,
        final List<ListenerConfig> listeners,
        final AclConfig acl,
        final QuotasConfig quotas,
        final CircuitBreakerConfig circuitBreaker)
    {
        this(name, clusterId, upstream, listener, listeners, acl, quotas, circuitBreaker, null);
    }

    /**
     * Reads an entry of the {@code clusters} section.
     *
     * @param name           the name.
     * @param clusterId      the cluster id, or null.
     * @param upstream       the upstream section.
     * @param listener       the listener section, or null.
     * @param listeners      the listeners section, or null.
     * @param acl            the acl section, or null.
     * @param quotas         the quotas section, or null.
     * @param circuitBreaker the circuit breaker section, or null.
     * @param mirror         the mirror section, or null.
     * @return the entry.
     */
    @JsonCreator
    public static ClusterConfig of(
        @JsonProperty("name") final String name,
        @JsonProperty("clusterId") final String clusterId,
        @JsonProperty("upstream") final BrokerClusterConfig upstream,
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("listeners") final List<ListenerConfig> listeners,
        @JsonProperty("acl") final AclConfig acl,
        @JsonProperty("quotas") final QuotasConfig quotas,
        @JsonProperty("circuitBreaker") final CircuitBreakerConfig circuitBreaker,
        @JsonProperty("mirror") final MirrorConfig mirror)
    {
        return new ClusterConfig(name, clusterId, upstream, listener, listeners, acl, quotas, circuitBreaker, mirror);
    }

    /**
     * Every listener of the cluster: the {@code listener} section first, then the entries of {@code listeners}.
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

    /**
     * The same cluster with some sections replaced.
     *
     * @param newListener       the listener section, or null to keep it.
     * @param newListeners      the listeners section, or null to keep it.
     * @param newUpstream       the upstream section, or null to keep it.
     * @param newAcl            the acl section, or null to keep it.
     * @param newQuotas         the quotas section, or null to keep it.
     * @param newCircuitBreaker the circuit breaker section, or null to keep it.
     * @return the new entry.
     */
    public ClusterConfig with(
        final ListenerConfig newListener,
        final List<ListenerConfig> newListeners,
        final BrokerClusterConfig newUpstream,
        final AclConfig newAcl,
        final QuotasConfig newQuotas,
        final CircuitBreakerConfig newCircuitBreaker)
    {
        return new ClusterConfig(name, clusterId,
            newUpstream == null ? upstream : newUpstream,
            newListener == null ? listener : newListener,
            newListeners == null ? listeners : newListeners,
            newAcl == null ? acl : newAcl,
            newQuotas == null ? quotas : newQuotas,
            newCircuitBreaker == null ? circuitBreaker : newCircuitBreaker,
            mirror);
    }

    /**
     * The same cluster with another mirror.
     *
     * @param newMirror the mirror section, or null for none.
     * @return the new entry.
     */
    public ClusterConfig withMirror(final MirrorConfig newMirror)
    {
        return new ClusterConfig(name, clusterId, upstream, listener, listeners, acl, quotas, circuitBreaker, newMirror);
    }
}
