package io.kafkaproxy.proxy.config;


import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes a configuration back as YAML in the reference file's shape, sizes and durations in units, every default
 * spelt out: what {@code kafka-proxy check-config} prints as the effective configuration. Reading the text back
 * gives an equal configuration, except that passwords written in the file itself ({@code listener.tls},
 * {@code upstream.tls}, {@code upstream.sasl}) are printed as {@value #REDACTED} (a password kept in a file of its
 * own, {@code privateKeyPasswordFile} or {@code passwordFile}, reads back the same).
 */
public final class ConfigWriter
{
    /** What a password is printed as. */
    public static final String REDACTED = "******";

    private ConfigWriter()
    {
    }

    /**
     * Writes a configuration.
     *
     * @param config the configuration.
     * @return the YAML text.
     */
    public static String toYaml(final ProxyConfig config)
    {
        final StringBuilder yaml = new StringBuilder(1024);
        if (config.singleClusterForm())
        {
            appendListeners(yaml, config.listener(), config.listeners(), ListenerConfig.DEFAULT_NAME);
            appendUpstream(yaml, config.upstream());
        }
        else
        {
            appendClusters(yaml, config);
        }
        final NetworkConfig network = config.network();
        yaml.append("network:\n")
            .append("  ioThreads: ").append(network.ioThreads()).append('\n')
            .append("  maxRequestSizeBytes: ").append(Units.formatBytes(network.maxRequestSizeBytes())).append('\n')
            .append("  maxResponseSizeBytes: ").append(Units.formatBytes(network.maxResponseSizeBytes())).append('\n')
            .append("  idleTimeout: ").append(Units.formatDuration(network.idleTimeout())).append('\n')
            .append("  transport: ").append(network.transport().yamlName()).append('\n')
            .append("  brokerTcpQuickAck: ").append(network.brokerTcpQuickAck()).append('\n')
            .append("  socketReceiveBufferBytes: ").append(Units.formatBytes(network.socketReceiveBufferBytes())).append('\n')
            .append("  socketSendBufferBytes: ").append(Units.formatBytes(network.socketSendBufferBytes())).append('\n')
            .append("  cutThrough: ").append(network.cutThrough()).append('\n');
        final MemoryConfig memory = config.memory();
        yaml.append("memory:\n")
            .append("  poolSizeBytes: ").append(Units.formatBytes(memory.poolSizeBytes())).append('\n')
            .append("  chunkSizeBytes: ").append(Units.formatBytes(memory.chunkSizeBytes())).append('\n')
            .append("  backing: ").append(memory.backing() == MemoryConfig.Backing.DIRECT ? "direct" : "mappedFile").append('\n')
            .append("  frameTimeout: ").append(Units.formatDuration(memory.frameTimeout())).append('\n')
            .append("  minFrameBytesPerSecond: ").append(Units.formatBytes(memory.minFrameBytesPerSecond())).append('\n');
        if (memory.mappedFileDirectory() != null)
        {
            yaml.append("  mappedFileDirectory: ").append(quoted(memory.mappedFileDirectory().toString())).append('\n');
        }
        yaml.append("admin:\n")
            .append("  enabled: ").append(config.admin().enabled()).append('\n')
            .append("  bindAddress: ").append(quoted(config.admin().bindAddress().toString())).append('\n');
        yaml.append("logging:\n")
            .append("  level: ").append(config.logging().level()).append('\n');
        if (!config.logging().loggers().isEmpty())
        {
            yaml.append("  loggers:\n");
            for (final Map.Entry<String, String> logger : new TreeMap<>(config.logging().loggers()).entrySet())
            {
                yaml.append("    ").append(quoted(logger.getKey())).append(": ").append(logger.getValue()).append('\n');
            }
        }
        yaml.append("shutdown:\n")
            .append("  drainTimeout: ").append(Units.formatDuration(config.shutdown().drainTimeout())).append('\n');
        if (config.singleClusterForm())
        {
            appendAcl(yaml, config.acl());
        }
        final AuditConfig audit = config.audit();
        yaml.append("audit:\n")
            .append("  enabled: ").append(audit.enabled()).append('\n')
            .append("  linesPerSecond: ").append(audit.linesPerSecond()).append('\n')
            .append("  ringSizeBytes: ").append(Units.formatBytes(audit.ringSizeBytes())).append('\n');
        if (config.singleClusterForm())
        {
            appendQuotas(yaml, config.quotas());
            appendCircuitBreaker(yaml, config.circuitBreaker());
            appendMirror(yaml, config.mirror());
        }
        appendGateway(yaml, config);
        appendRouting(yaml, config.routing());
        return yaml.toString();
    }

    private static void appendRouting(final StringBuilder yaml, final RoutingConfig routing)
    {
        if (routing == null)
        {
            return;
        }
        final StringBuilder listener = new StringBuilder(256);
        appendListeners(listener, routing.listener(), List.of(), RoutingConfig.DEFAULT_LISTENER_NAME);
        yaml.append("routing:\n");
        listener.toString().lines().forEach(line -> yaml.append("  ").append(line).append('\n'));
        if (!routing.rules().isEmpty())
        {
            yaml.append("  rules:\n");
            for (final RoutingRuleConfig rule : routing.rules())
            {
                yaml.append("    - cluster: ").append(quoted(rule.cluster())).append('\n');
                if (rule.principal() != null)
                {
                    yaml.append("      principal: ").append(quoted(rule.principal())).append('\n');
                }
                if (rule.clientId() != null)
                {
                    yaml.append("      clientId: ").append(quoted(rule.clientId())).append('\n');
                }
                if (rule.sourceAddress() != null)
                {
                    yaml.append("      sourceAddress: ").append(quoted(rule.sourceAddress().toString())).append('\n');
                }
            }
        }
        if (routing.defaultCluster() != null)
        {
            yaml.append("  defaultCluster: ").append(quoted(routing.defaultCluster())).append('\n');
        }
    }

    private static void appendListeners(
        final StringBuilder yaml, final ListenerConfig listener, final List<ListenerConfig> listeners, final String defaultName)
    {
        yaml.append("listener:\n");
        if (!listener.name().equals(defaultName))
        {
            yaml.append("  name: ").append(quoted(listener.name())).append('\n');
        }
        appendListenerKeys(yaml, "", listener);
        if (!listeners.isEmpty())
        {
            yaml.append("listeners:\n");
            for (final ListenerConfig more : listeners)
            {
                yaml.append("  - name: ").append(quoted(more.name())).append('\n');
                appendListenerKeys(yaml, "  ", more);
            }
        }
    }

    private static void appendUpstream(final StringBuilder yaml, final BrokerClusterConfig upstream)
    {
        yaml.append("upstream:\n  bootstrapServers:\n");
        for (final HostPort server : upstream.bootstrapServers())
        {
            yaml.append("    - ").append(quoted(server.toString())).append('\n');
        }
        yaml.append("  connectTimeout: ").append(Units.formatDuration(upstream.connectTimeout())).append('\n');
        appendBrokerTls(yaml, "", upstream.tls());
        appendBrokerSasl(yaml, "", upstream.sasl());
        appendStandby(yaml, upstream.standby(), upstream.failover());
    }

    private static void appendCircuitBreaker(final StringBuilder yaml, final CircuitBreakerConfig circuitBreaker)
    {
        yaml.append("circuitBreaker:\n")
            .append("  enabled: ").append(circuitBreaker.enabled()).append('\n')
            .append("  failureThreshold: ").append(circuitBreaker.failureThreshold()).append('\n')
            .append("  openDuration: ").append(Units.formatDuration(circuitBreaker.openDuration())).append('\n')
            .append("  requestTimeout: ").append(Units.formatDuration(circuitBreaker.requestTimeout())).append('\n')
            .append("  probeInterval: ").append(Units.formatDuration(circuitBreaker.probeInterval())).append('\n');
    }

    private static void appendClusters(final StringBuilder yaml, final ProxyConfig config)
    {
        yaml.append("clusters:\n");
        for (final ClusterConfig cluster : config.clusters())
        {
            yaml.append("  - name: ").append(quoted(cluster.name())).append('\n');
            if (cluster.clusterId() != null)
            {
                yaml.append("    clusterId: ").append(quoted(cluster.clusterId())).append('\n');
            }
            // A cluster's sections are the top-level sections of a one-cluster file, one level deeper.
            final StringBuilder sections = new StringBuilder(512);
            appendListeners(sections, cluster.listener(), cluster.listeners(), cluster.name());
            appendUpstream(sections, cluster.upstream());
            appendAcl(sections, cluster.acl());
            appendQuotas(sections, cluster.quotas());
            appendCircuitBreaker(sections, cluster.circuitBreaker());
            appendMirror(sections, cluster.mirror());
            sections.toString().lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
        }
    }

    private static void appendMirror(final StringBuilder yaml, final MirrorConfig mirror)
    {
        if (mirror == null)
        {
            return;
        }
        yaml.append("mirror:\n  bootstrapServers:\n");
        for (final HostPort server : mirror.bootstrapServers())
        {
            yaml.append("    - ").append(quoted(server.toString())).append('\n');
        }
        appendBrokerTls(yaml, "", mirror.tls());
        appendBrokerSasl(yaml, "", mirror.sasl());
        yaml.append("  topics: [").append(mirror.topics().stream().map(ConfigWriter::quoted).collect(Collectors.joining(", ")))
            .append("]\n")
            .append("  memory: ").append(Units.formatBytes(mirror.memoryBytes())).append('\n')
            .append("  acks: ").append(mirror.acks()).append('\n')
            .append("  requestTimeout: ").append(Units.formatDuration(mirror.requestTimeout())).append('\n');
    }

    private static void appendTls(final StringBuilder yaml, final TlsServerConfig tls)
    {
        yaml.append("  tls:\n");
        appendPath(yaml, "certificate", tls.certificate());
        appendPath(yaml, "privateKey", tls.privateKey());
        if (tls.privateKeyPassword() != null)
        {
            yaml.append("    privateKeyPassword: ").append(quoted(REDACTED)).append('\n');
        }
        appendPath(yaml, "privateKeyPasswordFile", tls.privateKeyPasswordFile());
        appendStore(yaml, "    keyStore", tls.keyStore());
        yaml.append("    clientAuth: ").append(tls.clientAuth().yamlName()).append('\n');
        appendPath(yaml, "trustedCertificates", tls.trustedCertificates());
        appendStore(yaml, "    trustStore", tls.trustStore());
        appendPath(yaml, "crlFile", tls.crlFile());
        yaml.append("    protocols: [")
            .append(tls.protocols().stream().map(ConfigWriter::quoted).collect(Collectors.joining(", "))).append("]\n")
            .append("    cipherSuites: [")
            .append(tls.cipherSuites().stream().map(ConfigWriter::quoted).collect(Collectors.joining(", "))).append("]\n")
            .append("    provider: ").append(tls.provider().yamlName()).append('\n')
            .append("    principalMappingRules: ").append(quoted(tls.principalMappingRules())).append('\n');
        if (tls.sni() != null)
        {
            yaml.append("    sni:\n")
                .append("      bootstrapHost: ").append(quoted(tls.sni().bootstrapHost())).append('\n')
                .append("      nodeHostPattern: ").append(quoted(tls.sni().nodeHostPattern())).append('\n');
        }
    }

    private static void appendPath(final StringBuilder yaml, final String key, final java.nio.file.Path path)
    {
        if (path != null)
        {
            yaml.append("    ").append(key).append(": ").append(quoted(path.toString())).append('\n');
        }
    }

    private static void appendAcl(final StringBuilder yaml, final AclConfig acl)
    {
        yaml.append("acl:\n")
            .append("  defaultPolicy: ").append(acl.defaultPolicy().yamlName()).append('\n');
        if (acl.rules().isEmpty())
        {
            yaml.append("  rules: []\n");
            return;
        }
        yaml.append("  rules:\n");
        for (final AclRuleConfig rule : acl.rules())
        {
            yaml.append("    - effect: ").append(rule.effect().yamlName()).append('\n')
                .append("      principal: ").append(quoted(rule.principal())).append('\n')
                .append("      resourceType: ").append(rule.resourceType().yamlName()).append('\n')
                .append("      resourceName: ").append(quoted(rule.resourceName())).append('\n')
                .append("      patternType: ").append(rule.patternType().yamlName()).append('\n')
                .append("      operations: [")
                .append(rule.operations().stream().sorted().map(AclOperation::yamlName).collect(Collectors.joining(", ")))
                .append("]\n");
            if (!rule.hosts().isEmpty())
            {
                yaml.append("      hosts: [")
                    .append(rule.hosts().stream().map(host -> quoted(host.toString())).collect(Collectors.joining(", ")))
                    .append("]\n");
            }
        }
    }

    private static void appendQuotas(final StringBuilder yaml, final QuotasConfig quotas)
    {
        if (quotas.rules().isEmpty())
        {
            yaml.append("quotas: []\n");
            return;
        }
        yaml.append("quotas:\n");
        for (final QuotaRuleConfig rule : quotas.rules())
        {
            // Each rule's first key opens its list item; the others line up under it.
            String prefix = "  - ";
            if (rule.principal() != null)
            {
                yaml.append(prefix).append("principal: ").append(quoted(rule.principal())).append('\n');
                prefix = "    ";
            }
            if (rule.topic() != null)
            {
                yaml.append(prefix).append("topic: ").append(quoted(rule.topic())).append('\n');
            }
            if (rule.address() != null)
            {
                yaml.append(prefix).append("address: ").append(quoted(rule.address().toString())).append('\n');
                prefix = "    ";
            }
            appendIfSet(yaml, prefix, "produceBytesPerSecond", rule.produceBytesPerSecond(), true);
            appendIfSet(yaml, prefix, "fetchBytesPerSecond", rule.fetchBytesPerSecond(), true);
            appendIfSet(yaml, prefix, "requestsPerSecond", rule.requestsPerSecond(), false);
            appendIfSet(yaml, prefix, "maxConnections", rule.maxConnections(), false);
            appendIfSet(yaml, prefix, "connectionsPerSecond", rule.connectionsPerSecond(), false);
        }
    }

    private static void appendIfSet(final StringBuilder yaml, final String prefix, final String key, final long value, final boolean bytes)
    {
        if (value != 0)
        {
            yaml.append(prefix).append(key).append(": ").append(bytes ? Units.formatBytes(value) : Long.toString(value)).append('\n');
        }
    }

    private static void appendBrokerTls(final StringBuilder yaml, final String indent, final BrokerTlsConfig tls)
    {
        if (tls == null)
        {
            return;
        }
        yaml.append(indent).append("  tls:\n");
        appendIfSet(yaml, indent + "    trustedCertificates", tls.trustedCertificates());
        appendStore(yaml, indent + "    trustStore", tls.trustStore());
        yaml.append(indent).append("    hostnameVerification: ").append(tls.hostnameVerification()).append('\n');
        appendIfSet(yaml, indent + "    certificate", tls.certificate());
        appendIfSet(yaml, indent + "    privateKey", tls.privateKey());
        appendIfSet(yaml, indent + "    privateKeyPassword", tls.privateKeyPassword() == null ? null : REDACTED);
        appendIfSet(yaml, indent + "    privateKeyPasswordFile", tls.privateKeyPasswordFile());
        appendStore(yaml, indent + "    keyStore", tls.keyStore());
        yaml.append(indent).append("    protocols: [").append(tls.protocols().stream().map(ConfigWriter::quoted).collect(Collectors.joining(", ")))
            .append("]\n");
        yaml.append(indent).append("    cipherSuites: [").append(tls.cipherSuites().stream().map(ConfigWriter::quoted).collect(Collectors.joining(", ")))
            .append("]\n");
        yaml.append(indent).append("    provider: ").append(tls.provider().yamlName()).append('\n');
    }

    private static void appendStore(final StringBuilder yaml, final String key, final StoreConfig store)
    {
        if (store == null)
        {
            return;
        }
        yaml.append(key).append(":\n");
        final String keys = key.substring(0, key.length() - key.stripLeading().length()) + "  ";
        appendIfSet(yaml, keys + "path", store.path());
        appendIfSet(yaml, keys + "type", store.type());
        appendIfSet(yaml, keys + "password", store.password() == null ? null : REDACTED);
        appendIfSet(yaml, keys + "keyPassword", store.keyPassword() == null ? null : REDACTED);
    }

    private static void appendBrokerSasl(final StringBuilder yaml, final String indent, final BrokerSaslConfig sasl)
    {
        if (sasl == null)
        {
            return;
        }
        yaml.append(indent).append("  sasl:\n")
            .append(indent).append("    mechanism: ").append(sasl.mechanism().mechanismName()).append('\n')
            .append(indent).append("    username: ").append(quoted(sasl.username())).append('\n');
        appendIfSet(yaml, indent + "    password", sasl.password() == null ? null : REDACTED);
        appendIfSet(yaml, indent + "    passwordFile", sasl.passwordFile());
    }

    private static void appendStandby(final StringBuilder yaml, final StandbyUpstreamConfig standby, final FailoverConfig failover)
    {
        if (standby == null)
        {
            return;
        }
        yaml.append("  standby:\n    bootstrapServers:\n");
        for (final HostPort server : standby.bootstrapServers())
        {
            yaml.append("      - ").append(quoted(server.toString())).append('\n');
        }
        yaml.append("    connectTimeout: ").append(Units.formatDuration(standby.connectTimeout())).append('\n');
        appendBrokerTls(yaml, "  ", standby.tls());
        appendBrokerSasl(yaml, "  ", standby.sasl());
        yaml.append("  failover:\n")
            .append("    probeInterval: ").append(Units.formatDuration(failover.probeInterval())).append('\n')
            .append("    probeTimeout: ").append(Units.formatDuration(failover.probeTimeout())).append('\n')
            .append("    failureThreshold: ").append(failover.failureThreshold()).append('\n')
            .append("    failback: ").append(failover.failback().yamlName()).append('\n')
            .append("    holdDown: ").append(Units.formatDuration(failover.holdDown())).append('\n');
    }

    private static void appendIfSet(final StringBuilder yaml, final String key, final Object value)
    {
        if (value != null)
        {
            yaml.append(key).append(": ").append(quoted(value.toString())).append('\n');
        }
    }

    private static void appendListenerKeys(final StringBuilder yaml, final String indent, final ListenerConfig listener)
    {
        // Written as the listener section's keys, then moved right as far as a listeners entry's keys stand.
        final StringBuilder keys = new StringBuilder(256);
        keys.append("  bindAddress: ").append(quoted(listener.bindAddress().toString())).append('\n')
            .append("  advertisedHost: ").append(quoted(listener.advertisedHost())).append('\n')
            .append("  nodePorts:\n")
            .append("    first: ").append(listener.nodePorts().first()).append('\n')
            .append("    count: ").append(listener.nodePorts().count()).append('\n');
        if (listener.tls() != null)
        {
            appendTls(keys, listener.tls());
        }
        if (listener.sasl() != null)
        {
            appendSasl(keys, listener.sasl());
        }
        for (final String line : keys.toString().split("\n"))
        {
            yaml.append(indent).append(line).append('\n');
        }
    }

    private static String quoted(final String text)
    {
        // Double-quoted YAML scalars: host names, IPv6 brackets and paths are then never read as anything else.
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void appendSasl(final StringBuilder yaml, final SaslTerminationConfig sasl)
    {
        yaml.append("  sasl:\n    mechanisms:\n");
        for (final SaslMechanism mechanism : sasl.mechanisms())
        {
            yaml.append("      - ").append(mechanism.mechanismName()).append('\n');
        }
        if (sasl.plainUsersFile() != null)
        {
            yaml.append("    plainUsersFile: ").append(quoted(sasl.plainUsersFile().toString())).append('\n');
        }
        if (sasl.scramCredentialsFile() != null)
        {
            yaml.append("    scramCredentialsFile: ").append(quoted(sasl.scramCredentialsFile().toString())).append('\n');
        }
        final OAuthBearerConfig oauth = sasl.oauthbearer();
        if (oauth != null)
        {
            yaml.append("    oauthbearer:\n")
                .append("      jwksFile: ").append(quoted(oauth.jwksFile().toString())).append('\n')
                .append("      issuer: ").append(quoted(oauth.issuer())).append('\n')
                .append("      audience: ").append(quoted(oauth.audience())).append('\n')
                .append("      principalClaim: ").append(quoted(oauth.principalClaim())).append('\n')
                .append("      clockSkew: ").append(Units.formatDuration(oauth.clockSkew())).append('\n');
        }
        yaml.append("    sessionLifetime: ").append(Units.formatDuration(sasl.sessionLifetime())).append('\n')
            .append("    failedLoginsPerMinute: ").append(sasl.failedLoginsPerMinute()).append('\n');
    }

    private static void appendGateway(final StringBuilder yaml, final ProxyConfig config)
    {
        final HttpConfig http = config.http();
        if (http != null)
        {
            yaml.append("http:\n")
                .append("  bindAddress: ").append(quoted(http.bindAddress().toString())).append('\n')
                .append("  maxBodyBytes: ").append(Units.formatBytes(http.maxBodyBytes())).append('\n')
                .append("  idleTimeout: ").append(Units.formatDuration(http.idleTimeout())).append('\n');
            if (http.tls() != null)
            {
                appendTls(yaml, http.tls());
            }
            appendGatewayAuth(yaml, http.auth());
        }
        final MqttConfig mqtt = config.mqtt();
        if (mqtt != null)
        {
            yaml.append("mqtt:\n")
                .append("  bindAddress: ").append(quoted(mqtt.bindAddress().toString())).append('\n')
                .append("  maxPacketBytes: ").append(Units.formatBytes(mqtt.maxPacketBytes())).append('\n');
            if (mqtt.tls() != null)
            {
                appendTls(yaml, mqtt.tls());
            }
            appendGatewayAuth(yaml, mqtt.auth());
        }
        final GatewayConfig.Producer producer = config.gateway().producer();
        final GatewayConfig.Subscriptions subscriptions = config.gateway().subscriptions();
        yaml.append("gateway:\n");
        if (config.gateway().cluster() != null)
        {
            yaml.append("  cluster: ").append(quoted(config.gateway().cluster())).append('\n');
        }
        yaml.append("  producer:\n")
            .append("    linger: ").append(Units.formatDuration(producer.linger())).append('\n')
            .append("    batchSize: ").append(Units.formatBytes(producer.batchSizeBytes())).append('\n')
            .append("    compression: ").append(producer.compression()).append('\n')
            .append("    bufferMemory: ").append(Units.formatBytes(producer.bufferMemoryBytes())).append('\n')
            .append("    deliveryTimeout: ").append(Units.formatDuration(producer.deliveryTimeout())).append('\n')
            .append("    maxRecordBytes: ").append(Units.formatBytes(producer.maxRecordBytes())).append('\n')
            .append("  subscriptions:\n")
            .append("    replayRecordsPerPartition: ").append(subscriptions.replayRecordsPerPartition()).append('\n')
            .append("    subscriberBufferBytes: ").append(Units.formatBytes(subscriptions.subscriberBufferBytes())).append('\n')
            .append("    heartbeatInterval: ").append(Units.formatDuration(subscriptions.heartbeatInterval())).append('\n')
            .append("    maxSubscribers: ").append(subscriptions.maxSubscribers()).append('\n');
    }

    private static void appendGatewayAuth(final StringBuilder yaml, final GatewayAuthConfig auth)
    {
        yaml.append("  auth:\n");
        appendPath(yaml, "usersFile", auth.usersFile());
        final OAuthBearerConfig oauth = auth.oauthbearer();
        if (oauth != null)
        {
            yaml.append("    oauthbearer:\n")
                .append("      jwksFile: ").append(quoted(oauth.jwksFile().toString())).append('\n')
                .append("      issuer: ").append(quoted(oauth.issuer())).append('\n')
                .append("      audience: ").append(quoted(oauth.audience())).append('\n')
                .append("      principalClaim: ").append(quoted(oauth.principalClaim())).append('\n')
                .append("      clockSkew: ").append(Units.formatDuration(oauth.clockSkew())).append('\n');
        }
        yaml.append("    allowAnonymous: ").append(auth.allowAnonymous()).append('\n');
    }
}
