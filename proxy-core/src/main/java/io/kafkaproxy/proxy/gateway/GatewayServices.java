package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.settings.GatewayCredentials;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.gateway.stream.FeedSettings;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the gateway's routes and sessions share for one upstream cluster: its producer, topic catalog, access rules,
 * authenticators and meters. Built once at start; what a reload may change (ACLs, quotas, credentials, certificates)
 * is read from the current {@link ClusterSnapshot} at each use.
 */
public final class GatewayServices implements AutoCloseable
{
    private final GatewayConfig settings;
    private final Supplier<ClusterSnapshot> snapshots;
    private final Map<String, Object> clientProperties;
    private final TopicCatalog topics;
    private final GatewayProducer producer;
    private final GatewayAccess access;
    private final GatewayAuthenticator httpAuthenticator;
    private final GatewayAuthenticator mqttAuthenticator;
    private final GatewayMetrics metrics;
    private final TopicFeeds feeds;

    /**
     * Starts the services of a cluster: its admin client and producer connect lazily, at their first use.
     *
     * @param config    the configuration.
     * @param snapshots the cluster's current snapshot.
     * @param registry  where meters go.
     */
    public GatewayServices(final ProxyConfig config, final Supplier<ClusterSnapshot> snapshots, final MeterRegistry registry)
    {
        this.settings = config.gateway();
        this.snapshots = snapshots;
        this.clientProperties = Map.copyOf(UpstreamClientProperties.of(config.gatewayCluster().upstream(), "kafka-proxy-gateway"));
        this.topics = new TopicCatalog(clientProperties, Duration.ofSeconds(Math.max(5, config.gatewayCluster().upstream().connectTimeout().toSeconds() * 3)));
        this.producer = new GatewayProducer(clientProperties, settings.producer(), topics);
        this.access = new GatewayAccess(snapshots);
        this.httpAuthenticator = new GatewayAuthenticator(() -> credentials(snapshots.get(), true));
        this.mqttAuthenticator = new GatewayAuthenticator(() -> credentials(snapshots.get(), false));
        this.metrics = new GatewayMetrics(registry);
        metrics.bindProducer(producer);
        metrics.bindTopicCatalog(topics);
        this.feeds = new TopicFeeds(clientProperties, FeedSettings.of(settings.subscriptions()));
    }

    private static GatewayCredentials credentials(final ClusterSnapshot snapshot, final boolean http)
    {
        final GatewaySettings gateway = snapshot.gateway();
        final GatewayCredentials credentials = gateway == null ? null : http ? gateway.httpCredentials() : gateway.mqttCredentials();
        if (credentials == null)
        {
            throw new IllegalStateException("no " + (http ? "http" : "mqtt") + " section in the running configuration");
        }
        return credentials;
    }

    /**
     * The producer every gateway client writes through.
     *
     * @return the producer.
     */
    public GatewayProducer producer()
    {
        return producer;
    }

    /**
     * The topic catalog.
     *
     * @return the catalog.
     */
    public TopicCatalog topics()
    {
        return topics;
    }

    /**
     * The shared fan-out of live subscriptions (SSE, WebSocket, MQTT SUBSCRIBE).
     *
     * @return the feeds.
     */
    public TopicFeeds feeds()
    {
        return feeds;
    }

    /**
     * The access rules.
     *
     * @return the access.
     */
    public GatewayAccess access()
    {
        return access;
    }

    /**
     * The authenticator of HTTP clients ({@code http.auth}).
     *
     * @return the authenticator.
     */
    public GatewayAuthenticator httpAuthenticator()
    {
        return httpAuthenticator;
    }

    /**
     * The authenticator of MQTT clients ({@code mqtt.auth}).
     *
     * @return the authenticator.
     */
    public GatewayAuthenticator mqttAuthenticator()
    {
        return mqttAuthenticator;
    }

    /**
     * The meters.
     *
     * @return the meters.
     */
    public GatewayMetrics metrics()
    {
        return metrics;
    }

    /**
     * The {@code gateway} section.
     *
     * @return the section.
     */
    public GatewayConfig settings()
    {
        return settings;
    }

    /**
     * The cluster's current snapshot: ACLs, quotas, the gateway listeners' TLS and credentials.
     *
     * @return the snapshot.
     */
    public ClusterSnapshot snapshot()
    {
        return snapshots.get();
    }

    /**
     * The upstream cluster's id (REST v3 paths carry it).
     *
     * @return completes with the id.
     */
    public CompletableFuture<String> clusterId()
    {
        return topics.clusterId();
    }

    /**
     * Settings for another Kafka client of the upstream cluster (a feed's consumer), with its own client id.
     *
     * @param clientId the client id.
     * @return a new mutable map.
     */
    public Map<String, Object> clientProperties(final String clientId)
    {
        final Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put("client.id", clientId);
        return properties;
    }

    @Override
    public void close()
    {
        feeds.close();
        producer.close();
        topics.close();
    }
}
