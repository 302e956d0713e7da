package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.config.AuditConfig;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.config.ClusterConfig;
import io.kafkaproxy.proxy.config.FailoverConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.kafkaproxy.proxy.sasl.SaslCredentials;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything about one upstream cluster that a configuration reload changes while connections stay open, compiled
 * once and never changed: connections read it whole at a defined point (when they open, at their next request)
 * rather than field by field from several places.
 *
 * @param bootstrapServers     the cluster's bootstrap servers, for the next bootstrap connections.
 * @param connectTimeoutMillis how long a broker connection may take, for the next connects.
 * @param idleTimeoutMillis    how long a client may send nothing before it is closed (0: never), for new connections.
 * @param maxRequestSizeBytes  the largest request message accepted, from the next frame.
 * @param maxResponseSizeBytes the largest response message accepted, from the next frame.
 * @param acl                  the compiled ACL rules, from each connection's next request.
 * @param quotas               the compiled quotas, from each connection's next request and the next connection.
 * @param circuitBreaker       when a failing broker's circuit opens, from the next call.
 * @param audit                what the audit log records.
 * @param clientTls            TLS for the listener's clients, its files read at compile time; null for plaintext. For
 *                             connections accepted from then on.
 * @param listenerTls          TLS for the clients of each listener ({@code clientTls} is the {@code listener}
 *                             section's), by listener name; a plaintext listener has none.
 * @param brokerTls            TLS to the brokers ({@code upstream.tls}, its files read at compile), for the next
 *                             broker connections; null: plaintext.
 * @param brokerLogin          the proxy's own SASL login to the brokers ({@code upstream.sasl}), for the next broker
 *                             connections; null: none.
 * @param sasl                 the SASL logins the {@code listener} section checks itself and their credentials, read from their files
 *                             at each compile; null when SASL passes through. For new connections.
 * @param listenerSasl         the SASL logins each listener checks itself, by listener name; a listener passing SASL
 *                             through has none.
 * @param gateway              the HTTP and MQTT gateway listeners' TLS and credentials, read from their files at each
 *                             compile; null when the configuration has neither, or the gateway serves another cluster.
 * @param primary              the primary upstream ({@code upstream}), compiled. The fields above
 *                             ({@code bootstrapServers}, {@code connectTimeoutMillis}, {@code brokerTls},
 *                             {@code brokerLogin}) are the <em>active</em> upstream's: the primary's, or after a failover
 *                             the standby's (see {@link #withActiveUpstream}).
 * @param standby              the standby upstream ({@code upstream.standby}), compiled; null without one.
 * @param failover             the {@code upstream.failover} section; null without a standby.
 */
public record ClusterSnapshot(
    List<HostPort> bootstrapServers,
    int connectTimeoutMillis,
    long idleTimeoutMillis,
    int maxRequestSizeBytes,
    int maxResponseSizeBytes,
    AclAuthorizer acl,
    QuotaBook quotas,
    CircuitBreakerConfig circuitBreaker,
    AuditConfig audit,
    ClientTlsContext clientTls,
    Map<String, ClientTlsContext> listenerTls,
    BrokerTlsContext brokerTls,
    BrokerLoginCredentials brokerLogin,
    SaslCredentials sasl,
    Map<String, SaslCredentials> listenerSasl,
    GatewaySettings gateway,
    UpstreamSettings primary,
    UpstreamSettings standby,
    FailoverConfig failover)
{
    /**
     * Compiles the snapshot of a configuration's first cluster.
     *
     * @param config the configuration, validated.
     * @return the snapshot.
     * @throws IllegalArgumentException if a rule does not compile, or a file (TLS material, a password, SASL
     *                                  credentials) does not load (naming the file and its YAML path).
     * @see #compile(ProxyConfig, ClusterConfig)
     */
    public static ClusterSnapshot compile(final ProxyConfig config)
    {
        return compile(config, config.clusters().get(0));
    }

    /**
     * Takes the values of one cluster of a validated configuration, and the proxy-wide ones, and compiles its rules.
     *
     * <p>Files the configuration names (the listener's certificates, keys and trusted authorities, the TLS material
     * and password file towards the brokers) are read here, every time: a reload re-reads them even when the YAML
     * did not change. The gateway's files are read for the cluster the gateway serves only.
     *
     * @param config  the configuration, validated.
     * @param cluster one of its clusters.
     * @return the snapshot.
     * @throws IllegalArgumentException if a rule does not compile, or a file (TLS material, a password, SASL
     *                                  credentials) does not load (naming the file and its YAML path).
     */
    public static ClusterSnapshot compile(final ProxyConfig config, final ClusterConfig cluster)
    {
        final String clusterPath = config.clusterPath(config.clusters().indexOf(cluster));
        final Map<String, ClientTlsContext> listenerTls = new HashMap<>();
        final Map<String, SaslCredentials> listenerSasl = new HashMap<>();
        final List<ListenerConfig> listeners = cluster.allListeners();
        for (int i = 0; i < listeners.size(); i++)
        {
            final String path = clusterPath + ProxyConfig.listenerPath(i);
            final TlsServerConfig tls = listeners.get(i).tls();
            if (tls != null)
            {
                listenerTls.put(listeners.get(i).name(), ClientTlsContext.compile(tls, path + ".tls", listeners.get(i).name()));
            }
            final SaslTerminationConfig sasl = listeners.get(i).sasl();
            if (sasl != null)
            {
                listenerSasl.put(listeners.get(i).name(), SaslCredentials.load(sasl, path + ".sasl"));
            }
        }
        final UpstreamSettings primary = UpstreamSettings.primary(cluster.upstream());
        return new ClusterSnapshot(
            List.copyOf(primary.bootstrapServers()),
            primary.connectTimeoutMillis(),
            config.network().idleTimeout().toMillis(),
            config.network().maxRequestSizeBytes(),
            config.network().maxResponseSizeBytes(),
            AclAuthorizer.compile(cluster.acl()),
            new QuotaBook(cluster.quotas()),
            cluster.circuitBreaker(),
            config.audit(),
            listenerTls.get(cluster.listener().name()),
            Map.copyOf(listenerTls),
            primary.brokerTls(),
            primary.brokerLogin(),
            listenerSasl.get(cluster.listener().name()),
            Map.copyOf(listenerSasl),
            cluster.equals(config.gatewayCluster()) ? GatewaySettings.compile(config) : null,
            primary,
            UpstreamSettings.standby(cluster.upstream().standby()),
            cluster.upstream().failover());
    }

    /**
     * The same snapshot reaching another upstream: its bootstrap servers, connect timeout, broker TLS and broker login
     * are the given upstream's; everything else (listeners, policy, limits) stays.
     *
     * @param active the upstream to reach: {@link #primary()} or {@link #standby()}.
     * @return the new snapshot, or this one when it already reaches that upstream.
     */
    public ClusterSnapshot withActiveUpstream(final UpstreamSettings active)
    {
        if (active.bootstrapServers().equals(bootstrapServers) && active.brokerTls() == brokerTls &&
            active.brokerLogin() == brokerLogin && active.connectTimeoutMillis() == connectTimeoutMillis)
        {
            return this;
        }
        return new ClusterSnapshot(List.copyOf(active.bootstrapServers()), active.connectTimeoutMillis(), idleTimeoutMillis,
            maxRequestSizeBytes, maxResponseSizeBytes, acl, quotas, circuitBreaker, audit, clientTls, listenerTls,
            active.brokerTls(), active.brokerLogin(), sasl, listenerSasl, gateway, primary, standby, failover);
    }

    /**
     * TLS for the clients of one listener.
     *
     * @param listenerName the listener's name.
     * @return its TLS, or null for a plaintext listener.
     */
    public ClientTlsContext clientTls(final String listenerName)
    {
        return listenerTls.get(listenerName);
    }

    /**
     * The SASL logins one listener checks itself.
     *
     * @param listenerName the listener's name.
     * @return its credentials, or null for a listener that passes SASL through.
     */
    public SaslCredentials sasl(final String listenerName)
    {
        return listenerSasl.get(listenerName);
    }
}
