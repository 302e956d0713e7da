package io.kafkaproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy's connection and error meters, recorded from every event loop.
 *
 * <p>Counters are Micrometer's (striped adders): lock-free and safe from any thread. The connection gauges
 * are atomics touched once per connection open and close, never per request.
 */
public final class ProxyMetrics
{
    /** Frames that closed a connection because they could not be a Kafka frame. */
    public static final String FRAMES_REJECTED = "kafka.proxy.frames.rejected";
    /** Connections that ended in an error rather than an orderly close. */
    public static final String CONNECTION_ERRORS = "kafka.proxy.connection.errors";
    /** Connection attempts to a broker that failed. */
    public static final String BROKER_CONNECT_FAILURES = "kafka.proxy.broker.connect.failures";
    /** Open connections, by side. */
    public static final String ACTIVE_CONNECTIONS = "kafka.proxy.connections.active";

    /** Label: which side of the proxy, {@code client} or {@code broker}. */
    public static final String SIDE = "side";
    /** Label: why a frame was rejected, {@code oversize} or {@code malformed}. */
    public static final String REASON = "reason";

    /**
     * The two sides of a proxied connection.
     */
    public enum Side
    {
        /** The Kafka client's connection to the proxy. */
        CLIENT("client"),
        /** The proxy's connection to a broker. */
        BROKER("broker");

        private final String label;

        Side(final String label)
        {
            this.label = label;
        }

        /**
         * The metric label value.
         *
         * @return {@code client} or {@code broker}.
         */
        public String label()
        {
            return label;
        }
    }

    private final MeterRegistry registry;
    private final Counter[] framesRejected = new Counter[4];
    private final Counter clientConnectionErrors;
    private final Counter brokerConnectionErrors;
    private final Counter brokerConnectFailures;
    private final AtomicLong activeClientConnections = new AtomicLong();
    private final AtomicLong activeBrokerConnections = new AtomicLong();

    /**
     * Registers the meters.
     *
     * @param registry where the meters live.
     */
    public ProxyMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
        for (final Side side : Side.values())
        {
            for (final String reason : new String[] {"oversize", "malformed"})
            {
                framesRejected[framesRejectedIndex(side, reason)] = Counter.builder(FRAMES_REJECTED)
                    .tag(SIDE, side.label())
                    .tag(REASON, reason)
                    .description("Frames that closed their connection because they could not be a Kafka frame")
                    .register(registry);
            }
        }
        clientConnectionErrors = Counter.builder(CONNECTION_ERRORS).tag(SIDE, Side.CLIENT.label())
            .description("Connections that ended in an error").register(registry);
        brokerConnectionErrors = Counter.builder(CONNECTION_ERRORS).tag(SIDE, Side.BROKER.label())
            .description("Connections that ended in an error").register(registry);
        brokerConnectFailures = Counter.builder(BROKER_CONNECT_FAILURES)
            .description("Connection attempts to a broker that failed").register(registry);
        Gauge.builder(ACTIVE_CONNECTIONS, activeClientConnections, AtomicLong::get).tag(SIDE, Side.CLIENT.label())
            .description("Open connections").register(registry);
        Gauge.builder(ACTIVE_CONNECTIONS, activeBrokerConnections, AtomicLong::get).tag(SIDE, Side.BROKER.label())
            .description("Open connections").register(registry);
    }

    private static int framesRejectedIndex(final Side side, final String reason)
    {
        return side.ordinal() * 2 + ("oversize".equals(reason) ? 0 : 1);
    }

    /**
     * The registry the meters live in.
     *
     * @return the registry.
     */
    public MeterRegistry registry()
    {
        return registry;
    }

    /**
     * Counts a rejected frame.
     *
     * @param side   the side that sent it.
     * @param reason {@code oversize} or {@code malformed}.
     */
    public void onFrameRejected(final Side side, final String reason)
    {
        framesRejected[framesRejectedIndex(side, reason)].increment();
    }

    /**
     * Counts a connection that ended in an error.
     *
     * @param side the side whose connection failed.
     */
    public void onConnectionError(final Side side)
    {
        (side == Side.CLIENT ? clientConnectionErrors : brokerConnectionErrors).increment();
    }

    /**
     * Counts a failed connection attempt to a broker.
     */
    public void onBrokerConnectFailed()
    {
        brokerConnectFailures.increment();
    }

    /**
     * Counts a connection opening.
     *
     * @param side the side of the connection.
     */
    public void onConnectionOpened(final Side side)
    {
        (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).incrementAndGet();
    }

    /**
     * Counts a connection closing.
     *
     * @param side the side of the connection.
     */
    public void onConnectionClosed(final Side side)
    {
        (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).decrementAndGet();
    }

    /**
     * Open connections on one side.
     *
     * @param side the side.
     * @return the number of open connections.
     */
    public long activeConnections(final Side side)
    {
        return (side == Side.CLIENT ? activeClientConnections : activeBrokerConnections).get();
    }

    /**
     * Connections that ended in an error so far.
     *
     * @param side the side whose connections failed.
     * @return the count.
     */
    public double connectionErrors(final Side side)
    {
        return (side == Side.CLIENT ? clientConnectionErrors : brokerConnectionErrors).count();
    }

    /**
     * Rejected frames so far.
     *
     * @param side   the side that sent them.
     * @param reason {@code oversize} or {@code malformed}.
     * @return the count.
     */
    public double framesRejected(final Side side, final String reason)
    {
        return framesRejected[framesRejectedIndex(side, reason)].count();
    }
}
