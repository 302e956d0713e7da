package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.config.AuditConfig;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;
import io.kafkaproxy.proxy.sasl.SaslCredentials;

import java.util.List;

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
 * @param sasl                 the SASL logins the listener checks itself and their credentials, read from their files
 *                             at each compile; null when SASL passes through. For new connections.
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
    SaslCredentials sasl)
{
    /**
     * Takes the values of a validated configuration and compiles its rules.
     *
     * <p>Every cluster reads today's single {@code upstream} section and the proxy-wide policy sections; once the
     * file names several clusters, this takes the cluster's own section.
     *
     * @param config the configuration, validated.
     * @return the snapshot.
     * @throws IllegalArgumentException if a rule does not compile, or a SASL credential file does not load (naming
     *                                  the file and its YAML path).
     */
    public static ClusterSnapshot compile(final ProxyConfig config)
    {
        return new ClusterSnapshot(
            List.copyOf(config.upstream().bootstrapServers()),
            (int)config.upstream().connectTimeout().toMillis(),
            config.network().idleTimeout().toMillis(),
            config.network().maxRequestSizeBytes(),
            config.network().maxResponseSizeBytes(),
            AclAuthorizer.compile(config.acl()),
            new QuotaBook(config.quotas()),
            config.circuitBreaker(),
            config.audit(),
            config.listener().sasl() == null ? null : SaslCredentials.load(config.listener().sasl()));
    }
}
