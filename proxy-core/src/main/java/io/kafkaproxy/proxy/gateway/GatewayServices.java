package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.failover.ActiveUpstream;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.gateway.settings.GatewayCredentials;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.gateway.stream.FeedSettings;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the gateway's routes and sessions share for one upstream cluster: its producer, topic catalog, access rules,
 * authenticators and meters. Built once at start; what a reload may change (ACLs, quotas, credentials, certificates)
 * is read from the current {@link ClusterSnapshot} at each use.
 *
 * <p><b>Following failover.</b> The gateway's Kafka clients (producer, admin client, feed consumers) reach the
 * cluster's active upstream directly, with that upstream's own TLS and SASL ({@code upstream} or
 * {@code upstream.standby}). At each switch of the cluster ({@link ClusterFailover}) they move, on the
 * {@code gateway-upstream-switch} thread, in this order: the producer of the upstream left is closed at once (its
 * unacknowledged records fail) and a new one built before any later record, the admin client is replaced, shared feeds
 * end their subscribers with {@link io.kafkaproxy.proxy.gateway.stream.FeedCloseReason#UPSTREAM_SWITCHED} and group
 * subscriptions rejoin their group on the now-active upstream. Each move logs one INFO line and counts
 * {@link GatewayMetrics#UPSTREAM_SWITCHES}.
 */
public final class GatewayServices implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(GatewayServices.class);
    private static final String CLIENT_ID = "kafka-proxy-gateway";

    private final GatewayConfig settings;
    private final Supplier<ClusterSnapshot> snapshots;
    private final String cluster;
    private final Map<String, Object> primaryProperties;
    // Null without a standby.
    private final Map<String, Object> standbyProperties;
    private final ExecutorService switcher;
    private volatile Map<String, Object> clientProperties;
    // Written by the switcher thread only.
    private volatile ActiveUpstream upstream;
    private final TopicCatalog topics;
    private final GatewayProducer producer;
    private final GatewayAccess access;
    private final GatewayAuthenticator httpAuthenticator;
    private final GatewayAuthenticator mqttAuthenticator;
    private final GatewayMetrics metrics;
    private final TopicFeeds feeds;

    /**
     * Starts the services of a cluster that does not fail over: its admin client and producer connect lazily, at
     * their first use.
     *
     * @param config    the configuration.
     * @param snapshots the cluster's current snapshot.
     * @param registry  where meters go.
     */
    public GatewayServices(final ProxyConfig config, final Supplier<ClusterSnapshot> snapshots, final MeterRegistry registry)
    {
        this(config, snapshots, registry, null);
    }

    /**
     * Starts the services of a cluster, their Kafka clients reaching its active upstream and following its switches:
     * they connect lazily, at their first use.
     *
     * @param config    the configuration.
     * @param snapshots the cluster's current snapshot.
     * @param registry  where meters go.
     * @param failover  the cluster's failover state, whose switches the clients follow; null: the primary only.
     */
    public GatewayServices(
        final ProxyConfig config, final Supplier<ClusterSnapshot> snapshots, final MeterRegistry registry, final ClusterFailover failover)
    {
        this.settings = config.gateway();
        this.snapshots = snapshots;
        this.cluster = config.gatewayCluster().name();
        final BrokerClusterConfig upstreamConfig = config.gatewayCluster().upstream();
        this.primaryProperties = Map.copyOf(UpstreamClientProperties.of(upstreamConfig, CLIENT_ID));
        this.standbyProperties = upstreamConfig.standby() == null ? null :
            Map.copyOf(UpstreamClientProperties.of(upstreamConfig.standby(), CLIENT_ID));
        this.switcher = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "gateway-upstream-switch");
            thread.setDaemon(true);
            return thread;
        });
        final boolean follows = failover != null && standbyProperties != null;
        this.upstream = follows ? failover.active() : ActiveUpstream.PRIMARY;
        this.clientProperties = propertiesOf(upstream);
        this.topics = new TopicCatalog(clientProperties, Duration.ofSeconds(Math.max(5, upstreamConfig.connectTimeout().toSeconds() * 3)));
        this.producer = new GatewayProducer(clientProperties, settings.producer(), topics);
        this.access = new GatewayAccess(snapshots);
        this.httpAuthenticator = new GatewayAuthenticator(() -> credentials(snapshots.get(), true));
        this.mqttAuthenticator = new GatewayAuthenticator(() -> credentials(snapshots.get(), false));
        this.metrics = new GatewayMetrics(registry);
        metrics.bindProducer(producer);
        metrics.bindTopicCatalog(topics);
        this.feeds = new TopicFeeds(clientProperties, FeedSettings.of(settings.subscriptions()));
        if (follows)
        {
            failover.addSwitchListener((name, to, generation) -> onSwitched(to, generation));
            // A switch between reading the active upstream and listening is caught up with here (a move is idempotent).
            onSwitched(failover.active(), failover.generation());
        }
    }

    private Map<String, Object> propertiesOf(final ActiveUpstream active)
    {
        return active == ActiveUpstream.STANDBY ? standbyProperties : primaryProperties;
    }

    /**
     * The cluster switched: on the failover loop, so the clients move on a thread of their own (closing and building
     * Kafka clients blocks).
     */
    private void onSwitched(final ActiveUpstream to, final long generation)
    {
        try
        {
            switcher.execute(() -> moveTo(to, generation));
        }
        catch (final RejectedExecutionException closed)
        {
            // The gateway stops: its clients are being closed anyway.
        }
    }

    private void moveTo(final ActiveUpstream to, final long generation)
    {
        if (to == upstream)
        {
            return;
        }
        final long startNanos = System.nanoTime();
        final Map<String, Object> properties = propertiesOf(to);
        clientProperties = properties;
        // The producer first: its sender thread is what keeps writing to the upstream left. Then the admin client, whose
        // answers the producer's next records wait for, then the consumers.
        producer.switchUpstream(properties);
        topics.switchUpstream(properties);
        feeds.switchUpstream(properties);
        // Last: whoever reads it as the new upstream finds every client moved.
        upstream = to;
        metrics.onUpstreamSwitched(cluster, to.label());
        LOGGER.atInfo()
            .addKeyValue("cluster", cluster)
            .addKeyValue("to", to.label())
            .addKeyValue("generation", generation)
            .addKeyValue("upstream", properties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG))
            .addKeyValue("millis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos))
            .log("gateway clients moved to the cluster's active upstream; the old upstream's clients are closed");
    }

    /**
     * The upstream the gateway's Kafka clients reach now. Any thread; it changes once a move is complete, so it lags a
     * switch of the cluster by the time the move takes (closing and building clients: milliseconds).
     *
     * @return primary or standby.
     */
    public ActiveUpstream activeUpstream()
    {
        return upstream;
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
        switcher.shutdown();
        try
        {
            // A move in progress finishes first, so that the clients closed below are the ones it built.
            switcher.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        feeds.close();
        producer.close();
        topics.close();
    }
}
