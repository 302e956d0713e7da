package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters: request latency by protocol, route and status (a histogram, so that Prometheus can take
 * quantiles across instances), records in and out by protocol and topic, open sessions by protocol, errors and dropped
 * subscribers by reason. Meters are made on first use and then found in a map: no registry lookup per event.
 */
public final class GatewayMetrics
{
    /** Request latency: timer with tags protocol, route, status. */
    public static final String REQUESTS = "kafka.proxy.gateway.requests";
    /** Records: counter with tags protocol, direction (in|out), topic. */
    public static final String RECORDS = "kafka.proxy.gateway.records";
    /** Open sessions: gauge with tag protocol (http|sse|websocket|mqtt). */
    public static final String SESSIONS = "kafka.proxy.gateway.sessions";
    /** Refused input and failed deliveries: counter with tags protocol, reason. */
    public static final String ERRORS = "kafka.proxy.gateway.errors";
    /** Subscribers disconnected by the proxy: counter with tags protocol, reason. */
    public static final String SUBSCRIBERS_DROPPED = "kafka.proxy.gateway.subscribers.dropped";
    /** Connections the gateway's own Kafka clients hold to the upstream brokers: gauge with tag client (producer|admin). */
    public static final String UPSTREAM_CONNECTIONS = "kafka.proxy.gateway.upstream.connections";
    /** The gateway's Kafka clients moved to the other upstream of their cluster: counter with tags cluster, to. */
    public static final String UPSTREAM_SWITCHES = "kafka.proxy.gateway.upstream.switches";
    /** Bytes handed to the producer and not yet acknowledged: gauge. */
    public static final String PRODUCER_BUFFERED = "kafka.proxy.gateway.producer.buffered.bytes";

    private final MeterRegistry registry;
    private final Map<RequestKey, Timer> requests = new ConcurrentHashMap<>();
    private final Map<RecordKey, Counter> records = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
    private final Map<ReasonKey, Counter> errors = new ConcurrentHashMap<>();
    private final Map<ReasonKey, Counter> dropped = new ConcurrentHashMap<>();

    /**
     * Meters in a registry.
     *
     * @param registry the registry.
     */
    public GatewayMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
    }

    /**
     * Registers the producer's buffered bytes.
     *
     * @param producer the producer.
     */
    public void bindProducer(final GatewayProducer producer)
    {
        Gauge.builder(PRODUCER_BUFFERED, producer, GatewayProducer::bufferedBytes)
            .description("bytes of gateway records handed to the producer and not yet acknowledged")
            .baseUnit("bytes")
            .register(registry);
        Gauge.builder(UPSTREAM_CONNECTIONS, producer, GatewayProducer::upstreamConnections)
            .description("connections the gateway's Kafka clients hold to the upstream brokers (Kafka's connection-count)")
            .tag("client", "producer")
            .register(registry);
    }

    /**
     * Registers the topic catalog's admin client connections.
     *
     * @param topics the catalog.
     */
    public void bindTopicCatalog(final TopicCatalog topics)
    {
        Gauge.builder(UPSTREAM_CONNECTIONS, topics, TopicCatalog::upstreamConnections)
            .description("connections the gateway's Kafka clients hold to the upstream brokers (Kafka's connection-count)")
            .tag("client", "admin")
            .register(registry);
    }

    /**
     * Records an answered request.
     *
     * @param protocol {@code http} or {@code mqtt}.
     * @param route    the route template, e.g. {@code POST /topics/{topic}} (never the raw path: bounded tags).
     * @param status   the HTTP status, or the MQTT reason code.
     * @param nanos    how long it took.
     */
    public void onRequest(final String protocol, final String route, final int status, final long nanos)
    {
        requests.computeIfAbsent(new RequestKey(protocol, route, status), key -> Timer.builder(REQUESTS)
            .description("gateway requests answered, by route and status")
            .tag("protocol", key.protocol).tag("route", key.route).tag("status", Integer.toString(key.status))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts records.
     *
     * @param protocol  {@code http}, {@code sse}, {@code websocket} or {@code mqtt}.
     * @param direction {@code in} (into Kafka) or {@code out} (to subscribers).
     * @param topic     the Kafka topic.
     * @param count     how many.
     */
    public void onRecords(final String protocol, final String direction, final String topic, final int count)
    {
        records.computeIfAbsent(new RecordKey(protocol, direction, topic), key -> Counter.builder(RECORDS)
            .description("records through the gateway, into Kafka (in) and to subscribers (out)")
            .tag("protocol", key.protocol).tag("direction", key.direction).tag("topic", key.topic)
            .register(registry)).increment(count);
    }

    /**
     * Counts refused input or a failure.
     *
     * @param protocol the protocol.
     * @param reason   a short fixed reason, e.g. {@code malformed_json}, {@code unknown_topic}.
     */
    public void onError(final String protocol, final String reason)
    {
        errors.computeIfAbsent(new ReasonKey(protocol, reason), key -> Counter.builder(ERRORS)
            .description("gateway input refused and deliveries failed, by reason")
            .tag("protocol", key.protocol).tag("reason", key.reason)
            .register(registry)).increment();
    }

    /**
     * The open sessions of a protocol: increment when one opens, decrement when it closes.
     *
     * @param protocol {@code http}, {@code sse}, {@code websocket} or {@code mqtt}.
     * @return the counter behind the gauge.
     */
    public AtomicInteger sessions(final String protocol)
    {
        return sessions.computeIfAbsent(protocol, key ->
        {
            final AtomicInteger open = new AtomicInteger();
            Gauge.builder(SESSIONS, open, AtomicInteger::get)
                .description("open gateway sessions (HTTP connections, SSE and WebSocket streams, MQTT sessions)")
                .tag("protocol", key)
                .register(registry);
            return open;
        });
    }

    /**
     * Counts a subscriber the proxy disconnected.
     *
     * @param protocol the protocol.
     * @param reason   {@code slow}, {@code denied}, {@code limit}...
     */
    public void onSubscriberDropped(final String protocol, final String reason)
    {
        dropped.computeIfAbsent(new ReasonKey(protocol, reason), key -> Counter.builder(SUBSCRIBERS_DROPPED)
            .description("subscribers the gateway disconnected, by reason")
            .tag("protocol", key.protocol).tag("reason", key.reason)
            .register(registry)).increment();
    }

    /**
     * Counts a move of the gateway's Kafka clients to the other upstream of their cluster (its failover or failback).
     *
     * @param cluster the virtual cluster the gateway serves.
     * @param to      {@code primary} or {@code standby}.
     */
    public void onUpstreamSwitched(final String cluster, final String to)
    {
        Counter.builder(UPSTREAM_SWITCHES)
            .description("moves of the gateway's Kafka clients to the now-active upstream of their cluster")
            .tag(ProxyMetrics.CLUSTER, cluster).tag("to", to)
            .register(registry).increment();
    }

    /**
     * The registry, for meters a part of the gateway keeps itself.
     *
     * @return the registry.
     */
    public MeterRegistry registry()
    {
        return registry;
    }

    private record RequestKey(String protocol, String route, int status)
    {
    }

    private record RecordKey(String protocol, String direction, String topic)
    {
    }

    private record ReasonKey(String protocol, String reason)
    {
    }
}
