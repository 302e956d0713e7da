package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.responses.ProduceResponseFlyweight;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.DirectBuffer;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends the mirror's copies to the shadow cluster, on one event loop: learns the shadow's partition leaders
 * (Metadata for all topics, kept for the mirrored ones; again every minute, and within a second of an answer
 * naming a leadership error or a copy for a partition without a known leader), keeps one {@link ShadowConnection}
 * per shadow broker, and sends the copies as Produce requests by topic name, at the highest version up to 12 the
 * shadow offers, with {@code mirror.acks}: the copies taken in one run of its task queue go as one request per
 * leader ({@link LeaderBatch}), so busy clients cost the shadow fewer, larger requests.
 *
 * <p>A copy naming a partition the shadow's metadata does not name yet (a topic created since the last refresh, a
 * leader being elected) waits up to a second while the metadata is asked for every tick, and the copies after it
 * wait behind it so each partition's order holds; a topic still absent then is dropped without waiting again until
 * the next periodic refresh.
 *
 * <p>Nothing waits without bound: a copy for a partition without a known leader, for a broker that cannot be
 * reached, or for a connection at its cap of requests in flight or unwritable is dropped and counted; while the
 * shadow's bootstrap servers cannot be reached, {@link #accepting()} tells the tap not to copy at all. A request
 * unanswered after {@code mirror.requestTimeout} closes its connection and its copies count as failed.
 *
 * <p>Over 500 lines: routing copies, the connections' lives and the metadata refresh change the same loop state
 * (connections, parked copies, the metadata connection), so they stay together; what the metadata says is
 * {@link ShadowMetadata}, the request's wire format {@link ShadowProduceEncoder}.
 *
 * <p>Confined to its event loop, but for {@link #submit} and {@link #accepting()} (any thread) and {@link #close}.
 * The answers are decoded with kafka-clients' message classes: they are the mirror's own, off the client path.
 */
final class MirrorSender
{
    /** The first Produce version of magic v2 batches only. */
    static final short MIN_PRODUCE_VERSION = 3;
    /** The last Produce version naming topics by name; v13 names them by id, which the shadow's ids are not. */
    static final short MAX_PRODUCE_VERSION = 12;
    /** Metadata v0 reads an empty topic list as "all topics", and has no way to ask for none. */
    static final short MIN_METADATA_VERSION = 1;
    private static final Logger LOGGER = LoggerFactory.getLogger(MirrorSender.class);
    private static final short FIRST_AUTO_CREATE_METADATA_VERSION = 4;
    private static final long TICK_MILLIS = 250;
    /** Copies waiting for metadata naming a topic just seen; past this they are dropped (the slice bounds them too). */
    private static final int MAX_PARKED = 1024;
    /** How long a copy waits for the shadow's metadata to name its partitions (at most mirror.requestTimeout). */
    private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int WRITE_LOW_WATER_MARK = 4 << 20;
    private static final int WRITE_HIGH_WATER_MARK = 8 << 20;
    private static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long WANTED_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final MirrorConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final BrokerTlsContext tls;
    private final BrokerLoginCredentials login;
    private final MirrorMetrics metrics;
    private final int maxResponseSizeBytes;
    private final long handshakeMillis;
    private final long requestTimeoutNanos;
    private final long parkNanos;
    private final ShadowMetadata metadata;
    private final Map<Integer, ShadowConnection> connections = new HashMap<>();
    private final Map<Integer, Long> nodeRetryNanos = new HashMap<>();
    private final ArrayDeque<MirroredProduce> parked = new ArrayDeque<>();
    private final Map<Integer, LeaderBatch> batches = new HashMap<>();
    private final ProduceResponseFlyweight produceResponse = new ProduceResponseFlyweight();
    private final Runnable dispatchTask = this::dispatch;
    private boolean dispatchScheduled;
    private volatile boolean accepting;
    private volatile boolean closed;
    private ShadowConnection metadataConnection;
    private int nextBootstrap;
    private long metadataRetryNanos;
    private long metadataBackoffNanos = FIRST_BACKOFF_NANOS;
    private long lastMetadataNanos;
    private boolean metadataInFlight;
    private boolean refreshWanted;
    private short produceVersion = -1;
    private boolean unreachableLogged;
    private ScheduledFuture<?> tick;

    MirrorSender(
        final MirrorConfig config,
        final EventLoop loop,
        final Bootstrap bootstrap,
        final BrokerTlsContext tls,
        final BrokerLoginCredentials login,
        final MirrorMetrics metrics,
        final MirrorTopicMatcher topics,
        final int maxResponseSizeBytes,
        final long handshakeMillis)
    {
        this.config = config;
        this.loop = loop;
        // The slice bounds what copies waiting to be written hold; Netty's default 64 KiB mark would drop them first.
        this.bootstrap = bootstrap.clone(loop)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK));
        this.tls = tls;
        this.login = login;
        this.metrics = metrics;
        this.metadata = new ShadowMetadata(topics);
        this.maxResponseSizeBytes = maxResponseSizeBytes;
        this.handshakeMillis = handshakeMillis;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.parkNanos = Math.min(MAX_PARK_NANOS, requestTimeoutNanos);
    }

    /**
     * Starts learning the shadow's metadata; returns at once.
     */
    void start()
    {
        loop.execute(() ->
        {
            connectMetadata();
            tick = loop.scheduleAtFixedRate(this::onTick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Whether copies are taken: the shadow's metadata is known and its bootstrap servers answer.
     *
     * @return false while the shadow is unreachable (the tap then drops without copying). Any thread.
     */
    boolean accepting()
    {
        return accepting;
    }

    /**
     * Hands a copy over to the sender's loop. Any thread.
     *
     * @param copy the copy; ownership moves here.
     */
    void submit(final MirroredProduce copy)
    {
        if (closed)
        {
            drop(copy);
            return;
        }
        loop.execute(copy);
    }

    /**
     * Stops: closes every connection; copies in flight fail, copies arriving later are dropped.
     */
    void close()
    {
        closed = true;
        accepting = false;
        loop.execute(() ->
        {
            if (tick != null)
            {
                tick.cancel(false);
            }
            while (!parked.isEmpty())
            {
                drop(parked.poll());
            }
            dispatch();
            if (metadataConnection != null)
            {
                metadataConnection.close(null);
            }
            for (final ShadowConnection connection : List.copyOf(connections.values()))
            {
                connection.close(null);
            }
        });
    }

    void onProduce(final MirroredProduce copy)
    {
        if (closed || !accepting)
        {
            drop(copy);
            return;
        }
        if (!parked.isEmpty() || metadata.needsRefresh(copy))
        {
            // A partition the shadow's metadata does not name yet (a topic created since the last refresh, a leader
            // being elected): wait a moment for a refresh rather than drop; copies behind a waiting one wait too, so
            // that each partition's copies keep their order.
            if (parked.size() >= MAX_PARKED)
            {
                drop(copy);
                return;
            }
            copy.park(System.nanoTime() | 1);
            parked.add(copy);
            refreshWanted = true;
            if (metadataConnection != null && metadataConnection.isReady() && !metadataInFlight)
            {
                sendMetadata();
            }
            return;
        }
        route(copy);
    }

    private void route(final MirroredProduce copy)
    {
        final int count = copy.count();
        final int[] leaderOf = new int[count];
        for (int i = 0; i < count; i++)
        {
            leaderOf[i] = metadata.leaderOf(copy.topic(i), copy.partition(i));
            if (leaderOf[i] == ShadowMetadata.NO_LEADER)
            {
                // Waited for already (or absent): no more waiting for this topic until the periodic refresh.
                dropEntry(copy, i);
                metadata.markAbsent(copy.topic(i));
                refreshWanted |= metadata.knows(copy.topic(i));
            }
        }
        for (int i = 0; i < count; i++)
        {
            if (leaderOf[i] != ShadowMetadata.NO_LEADER)
            {
                batches.computeIfAbsent(leaderOf[i], leader -> new LeaderBatch()).add(copy.topic(i), copy.partition(i),
                    copy.copy().retainedSlice(copy.offset(i), copy.length(i)), copy.records(i), copy.readNanos());
            }
        }
        copy.copy().release();
        if (!dispatchScheduled && !batches.isEmpty())
        {
            // Sent once the loop has taken every copy already queued: one request per broker for all of them.
            dispatchScheduled = true;
            loop.execute(dispatchTask);
        }
    }

    private void dispatch()
    {
        dispatchScheduled = false;
        final int timeoutMs = (int)Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis());
        for (final Map.Entry<Integer, LeaderBatch> entry : batches.entrySet())
        {
            final LeaderBatch batch = entry.getValue();
            final ShadowConnection connection = closed ? null : connectionTo(entry.getKey());
            for (int i = 0; i < batch.requestCount() && connection != null && connection.takesMore(); i++)
            {
                connection.send(batch.toRequest(i, produceVersion, connection.nextCorrelationId(), config.acks(), timeoutMs));
            }
            // What the connection could not take (closed, slow): dropped, counted.
            batch.drop(metrics);
        }
        batches.clear();
    }

    private void replayParked()
    {
        final long now = System.nanoTime();
        while (!parked.isEmpty())
        {
            final MirroredProduce head = parked.peek();
            if (!closed && accepting && metadata.needsRefresh(head) && now - head.parkedNanos() <= parkNanos)
            {
                return;
            }
            parked.poll();
            if (closed || !accepting)
            {
                drop(head);
            }
            else
            {
                route(head);
            }
        }
    }

    private void drop(final MirroredProduce copy)
    {
        metrics.onDropped(copy.totalRecords());
        metrics.addBytesInFlight(-copy.totalBytes());
        copy.copy().release();
    }

    private void dropEntry(final MirroredProduce copy, final int i)
    {
        metrics.onDropped(copy.records(i));
        metrics.addBytesInFlight(-copy.length(i));
    }

    private ShadowConnection connectionTo(final int nodeId)
    {
        final ShadowConnection existing = connections.get(nodeId);
        if (existing != null && !existing.isClosed())
        {
            return existing;
        }
        final HostPort address = metadata.node(nodeId);
        final Long retry = nodeRetryNanos.get(nodeId);
        if (address == null || (retry != null && System.nanoTime() - retry < 0))
        {
            return null;
        }
        final ShadowConnection connection = new ShadowConnection(this, nodeId, address, login);
        connections.put(nodeId, connection);
        connection.connect(bootstrap.clone(loop), tls, maxResponseSizeBytes, handshakeMillis);
        return connection;
    }

    void onResponse(final ShadowConnection connection, final ShadowRequest request, final ByteBuffer body)
    {
        if (request.apiKey() == ApiKeyIds.METADATA)
        {
            onMetadata(new MetadataResponseData(new ByteBufferAccessor(body), request.apiVersion()));
        }
    }

    /**
     * A shadow broker answered a Produce request: each partition settles its records as mirrored or failed by its
     * error code, read in place (nothing is allocated per answer).
     *
     * @param request    the request answered.
     * @param buffer     the buffer holding the answer.
     * @param bodyOffset where its body starts.
     * @param bodyLength its body's length.
     */
    void onProduceResponse(final ShadowRequest request, final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        produceResponse.wrap(buffer, bodyOffset, bodyLength, request.apiVersion());
        long mirrored = 0;
        long failed = 0;
        int next = 0;
        while (produceResponse.nextPartition())
        {
            final int i = indexOf(request, next);
            final int records = i < 0 ? 0 : request.records(i);
            next = i + 1;
            final short errorCode = produceResponse.errorCode();
            if (errorCode == Errors.NONE.code())
            {
                mirrored += records;
            }
            else
            {
                failed += records;
                refreshWanted |= isLeadershipError(errorCode);
            }
        }
        metrics.onMirrored(mirrored);
        metrics.onFailed(failed);
        metrics.addBytesInFlight(-request.bytes());
        metrics.onAcknowledged(System.nanoTime() - request.readNanos());
    }

    /**
     * The request's entry for the partition the answer is at: brokers answer in the request's order, so the entry
     * after the previous one is tried first, then every entry.
     */
    private int indexOf(final ShadowRequest request, final int hint)
    {
        final int partition = produceResponse.partitionIndex();
        if (hint < request.partitionCount() && request.partition(hint) == partition && produceResponse.topicNameEquals(request.topic(hint)))
        {
            return hint;
        }
        for (int i = 0; i < request.partitionCount(); i++)
        {
            if (request.partition(i) == partition && produceResponse.topicNameEquals(request.topic(i)))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean isLeadershipError(final short errorCode)
    {
        return errorCode == Errors.NOT_LEADER_OR_FOLLOWER.code() || errorCode == Errors.UNKNOWN_TOPIC_OR_PARTITION.code() ||
            errorCode == Errors.LEADER_NOT_AVAILABLE.code() || errorCode == Errors.FENCED_LEADER_EPOCH.code() ||
            errorCode == Errors.UNKNOWN_TOPIC_ID.code();
    }

    /**
     * A request of acks 0 was written, or failed to be.
     *
     * @param request the request.
     * @param success whether the write succeeded.
     */
    void onWritten(final ShadowRequest request, final boolean success)
    {
        if (success)
        {
            metrics.onMirrored(request.totalRecords());
            metrics.onAcknowledged(System.nanoTime() - request.readNanos());
        }
        else
        {
            metrics.onFailed(request.totalRecords());
        }
        metrics.addBytesInFlight(-request.bytes());
    }

    /**
     * A request sent was not answered: its connection closed, or the answer was unusable.
     *
     * @param request the request.
     */
    void onFailed(final ShadowRequest request)
    {
        request.release();
        if (request.apiKey() == ApiKeyIds.METADATA)
        {
            metadataInFlight = false;
            return;
        }
        metrics.onFailed(request.totalRecords());
        metrics.addBytesInFlight(-request.bytes());
    }

    /**
     * A request waiting for its connection was never sent.
     *
     * @param request the request.
     */
    void onDropped(final ShadowRequest request)
    {
        request.release();
        if (request.apiKey() == ApiKeyIds.METADATA)
        {
            metadataInFlight = false;
            return;
        }
        metrics.onDropped(request.totalRecords());
        metrics.addBytesInFlight(-request.bytes());
    }

    void onConnectionReady(final ShadowConnection connection)
    {
        nodeRetryNanos.remove(connection.nodeId());
        if (connection == metadataConnection)
        {
            metadataBackoffNanos = FIRST_BACKOFF_NANOS;
            produceVersion = connection.produceVersion();
            sendMetadata();
        }
    }

    void onConnectionClosed(final ShadowConnection connection, final boolean wasReady, final Throwable cause)
    {
        if (connection == metadataConnection)
        {
            metadataConnection = null;
            metadataInFlight = false;
            if (!wasReady)
            {
                // The shadow's bootstrap server cannot be reached: stop copying until it can.
                accepting = false;
                metadataRetryNanos = System.nanoTime() + metadataBackoffNanos;
                metadataBackoffNanos = Math.min(MAX_BACKOFF_NANOS, metadataBackoffNanos * 2);
                if (!unreachableLogged && !closed)
                {
                    unreachableLogged = true;
                    LOGGER.atWarn()
                        .addKeyValue("brokerAddress", connection.address())
                        .addKeyValue("error", String.valueOf(cause))
                        .log("shadow cluster unreachable; mirrored records are dropped until it answers");
                }
            }
            return;
        }
        if (connections.get(connection.nodeId()) == connection)
        {
            connections.remove(connection.nodeId());
            if (!wasReady)
            {
                nodeRetryNanos.put(connection.nodeId(), System.nanoTime() + FIRST_BACKOFF_NANOS);
                refreshWanted = true;
            }
        }
        if (cause != null && LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug().addKeyValue("brokerAddress", connection.address()).addKeyValue("error", cause.toString())
                .log("shadow broker connection closed");
        }
    }

    private void onTick()
    {
        if (closed)
        {
            return;
        }
        final long now = System.nanoTime();
        replayParked();
        if (metadataConnection == null)
        {
            if (now - metadataRetryNanos >= 0)
            {
                connectMetadata();
            }
        }
        else if (metadataConnection.isReady() && !metadataInFlight &&
            (now - lastMetadataNanos >= REFRESH_NANOS || (refreshWanted && now - lastMetadataNanos >= WANTED_REFRESH_NANOS) ||
                !parked.isEmpty()))
        {
            sendMetadata();
        }
        for (final ShadowConnection connection : List.copyOf(connections.values()))
        {
            if (connection.timedOut(now, requestTimeoutNanos))
            {
                connection.close(new IllegalStateException("the shadow broker did not answer within mirror.requestTimeout"));
            }
        }
        if (metadataConnection != null && metadataConnection.timedOut(now, requestTimeoutNanos))
        {
            metadataConnection.close(new IllegalStateException("the shadow did not answer within mirror.requestTimeout"));
        }
    }

    private void connectMetadata()
    {
        if (closed)
        {
            return;
        }
        final List<HostPort> servers = config.bootstrapServers();
        final HostPort server = servers.get(nextBootstrap++ % servers.size());
        metadataConnection = new ShadowConnection(this, -1, server, login);
        metadataConnection.connect(bootstrap.clone(loop), tls, maxResponseSizeBytes, handshakeMillis);
    }

    private void sendMetadata()
    {
        final ShadowConnection connection = metadataConnection;
        final short version = connection.metadataVersion();
        final MetadataRequestData request = new MetadataRequestData().setTopics(null);
        if (version >= FIRST_AUTO_CREATE_METADATA_VERSION)
        {
            request.setAllowAutoTopicCreation(false);
        }
        final int correlationId = connection.nextCorrelationId();
        metadataInFlight = true;
        refreshWanted = false;
        lastMetadataNanos = System.nanoTime();
        connection.send(ShadowRequest.metadata(version, correlationId,
            ShadowConnection.request(ApiKeyIds.METADATA, version, correlationId, request)));
    }

    private void onMetadata(final MetadataResponseData response)
    {
        metadataInFlight = false;
        lastMetadataNanos = System.nanoTime();
        metadata.update(response, lastMetadataNanos);
        for (final ShadowConnection connection : List.copyOf(connections.values()))
        {
            if (!connection.address().equals(metadata.node(connection.nodeId())))
            {
                connection.close(null);
            }
        }
        if (!accepting)
        {
            LOGGER.atInfo()
                .addKeyValue("brokers", metadata.nodeCount())
                .addKeyValue("topics", metadata.topicCount())
                .log("shadow cluster reachable; mirroring");
        }
        unreachableLogged = false;
        accepting = true;
        replayParked();
    }
}
