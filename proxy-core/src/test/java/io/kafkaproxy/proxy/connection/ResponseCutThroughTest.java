package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ApiMeters;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.kafkaproxy.proxy.connection.EmbeddedConnections.CHUNK_BYTES;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.bytes;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.chunks;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.frame;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.releaseAll;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.request;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.response;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.slice;
import static io.kafkaproxy.proxy.connection.EmbeddedConnections.written;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cut-through forwarding at the handler level: a broker channel's frame decoder and backend handler, a client channel,
 * the connection's state machine between them; responses delivered to the broker channel in chunks, one per read.
 */
class ResponseCutThroughTest
{
    private static final ProxyConfig POLICY_CONFIG = ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("broker", 9092)), null)).build();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry);
    private final AuditLog audit = new AuditLog(POLICY_CONFIG.audit(), registry);
    private final List<Promise<Integer>> listenerStarts = new ArrayList<>();
    private final BrokerNodeRegistry nodes = new BrokerNodeRegistry("proxy.example", 0, 1, (nodeId, port) ->
    {
        final Promise<Integer> started = ImmediateEventExecutor.INSTANCE.newPromise();
        listenerStarts.add(started);
        return started;
    }, ImmediateEventExecutor.INSTANCE);
    private final EmbeddedChannel broker = new EmbeddedChannel(false, false);
    private final EmbeddedChannel client = new EmbeddedChannel(false, false);
    private CircuitBreakerConfig breakerConfig = POLICY_CONFIG.circuitBreaker();
    private ClientConnectionStateMachine connection;

    @AfterEach
    void tearDown()
    {
        // A test that runs several connections uses instances of its own; this one's channels were then never used.
        if (client.isRegistered())
        {
            client.finishAndReleaseAll();
        }
        if (broker.isRegistered())
        {
            broker.finishAndReleaseAll();
        }
        audit.close();
    }

    @Test
    void shouldStreamAFetchResponseToTheClientAsItsChunksArrive()
    {
        for (final short version : new short[] {4, 12, 15})
        {
            // Given
            final ResponseCutThroughTest test = new ResponseCutThroughTest();
            test.connect(true);
            final ByteBuf response = test.fetchRoundTrip(version, fetch(false));
            final byte[] expected = bytes(response);
            final List<ByteBuf> chunks = chunks(response);

            // When: the first read
            test.broker.writeInbound(chunks.get(0));

            // Then: its bytes are on their way to the client before the rest arrives
            assertThat(test.clientBytes()).as("version %d", version).isEqualTo(slice(expected, 0, CHUNK_BYTES));

            // When: the rest
            for (int i = 1; i < chunks.size(); i++)
            {
                test.broker.writeInbound(chunks.get(i));
            }

            // Then
            assertThat(test.clientBytes()).isEqualTo(slice(expected, CHUNK_BYTES, expected.length - CHUNK_BYTES));
            assertThat(test.registry.get(ProxyMetrics.RESPONSES_STREAMED).counter().count()).isEqualTo(1);
            test.assertAnsweredAndStillUsable();
            test.tearDown();
        }
    }

    @Test
    void shouldStreamAFetchV17ResponseHoldingOnlyItsTaggedFields()
    {
        // Given
        connect(true);
        final ByteBuf response = fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);

        // When
        broker.writeInbound(chunks.get(0));
        final byte[] first = clientBytes();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        final byte[] rest = clientBytes();

        // Then: the first read went on at once; the whole response arrived unchanged
        assertThat(first).isEqualTo(slice(expected, 0, CHUNK_BYTES));
        assertThat(concat(first, rest)).isEqualTo(expected);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldReplaceTheNodeEndpointsOfAStreamedResponseWhoseListenerIsStarting()
    {
        // Given: the response names node 7, whose proxy listener is not bound yet
        final short version = ApiKeys.FETCH.latestVersion(true);
        connect(true);
        final FetchResponseData data = fetch(true);
        final ByteBuf response = fetchRoundTrip(version, data);
        final int length = response.readableBytes();

        // When
        for (final ByteBuf chunk : chunks(response))
        {
            broker.writeInbound(chunk);
        }

        // Then: same length, same records, no endpoints: the client asks Metadata for the leader
        final byte[] answer = clientBytes();
        assertThat(answer).hasSize(length);
        final FetchResponseData parsed = parse(answer, version);
        assertThat(parsed.nodeEndpoints()).isEmpty();
        assertThat(parsed.responses()).isEqualTo(new FetchResponseData(MessageUtil.toByteBufferAccessor(data, version), version).responses());
        assertThat(registry.get(ProxyMetrics.STREAMED_ENDPOINTS_DROPPED).counter().count()).isEqualTo(1);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldReplaceTheNodeEndpointsOfAStreamedResponseWhoseNodeHasNoListenerAndCountItApart()
    {
        // Given: node 7's proxy listener failed to bind, so it has no proxy address
        final short version = ApiKeys.FETCH.latestVersion(true);
        connect(true);
        nodes.proxyPort(7, "broker-7.internal.example", 9092);
        listenerStarts.get(0).setFailure(new BindException("address in use"));
        final ByteBuf response = fetchRoundTrip(version, fetch(true));
        final int length = response.readableBytes();

        // When
        for (final ByteBuf chunk : chunks(response))
        {
            broker.writeInbound(chunk);
        }

        // Then: same length, no endpoints (the broker's address is not revealed), counted as a misconfiguration
        final byte[] answer = clientBytes();
        assertThat(answer).hasSize(length);
        assertThat(parse(answer, version).nodeEndpoints()).isEmpty();
        assertThat(registry.get(ProxyMetrics.STREAMED_ENDPOINTS_UNAVAILABLE).counter().count()).isEqualTo(1);
        assertThat(registry.get(ProxyMetrics.STREAMED_ENDPOINTS_DROPPED).counter().count()).isZero();
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldForwardAResponseThatFollowsAStreamedOneInTheSameRead()
    {
        // Given: two Fetch requests in flight; the first answer streams, and its last read holds the whole second one
        connect(true);
        client.writeInbound(request(ApiKeys.FETCH, (short)12, 5, new FetchRequestData().setMaxWaitMs(0).setMaxBytes(1 << 20)));
        client.writeInbound(request(ApiKeys.FETCH, (short)12, 7, new FetchRequestData().setMaxWaitMs(0).setMaxBytes(1 << 20)));
        releaseAll(broker);
        final ByteBuf firstResponse = response(ApiKeys.FETCH, (short)12, 5, fetch(false));
        final ByteBuf secondResponse = response(ApiKeys.FETCH, (short)12, 7, new FetchResponseData());
        final byte[] expected = concat(bytes(firstResponse), bytes(secondResponse));
        final List<ByteBuf> chunks = chunks(firstResponse);
        final ByteBuf lastChunk = chunks.remove(chunks.size() - 1);
        final ByteBuf lastRead = Unpooled.directBuffer().writeBytes(lastChunk).writeBytes(secondResponse);
        lastChunk.release();
        secondResponse.release();

        // When
        for (final ByteBuf chunk : chunks)
        {
            broker.writeInbound(chunk);
        }
        broker.writeInbound(lastRead);

        // Then: both answers, in order; only the first streamed
        assertThat(clientBytes()).isEqualTo(expected);
        assertThat(registry.get(ProxyMetrics.RESPONSES_STREAMED).counter().count()).isEqualTo(1);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldSendTheProxysOwnAnswerQueuedBehindAStreamedResponseRightAfterIt()
    {
        // Given: a Fetch response streaming, and behind it an ApiVersions the proxy answers itself
        connect(true);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);
        broker.writeInbound(chunks.get(0));
        client.writeInbound(rawApiVersionsRequest((short)99, 8));
        final byte[] first = clientBytes();

        // When
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }

        // Then: the whole Fetch response, then the proxy's answer
        final byte[] rest = clientBytes();
        final byte[] all = concat(first, rest);
        assertThat(slice(all, 0, expected.length)).isEqualTo(expected);
        assertThat(all.length).isGreaterThan(expected.length);
        assertThat(ByteBuffer.wrap(all, expected.length, all.length - expected.length).getInt(expected.length + 4)).isEqualTo(8);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldCloseTheConnectionWhenAStreamedFetchResponseDoesNotParse()
    {
        // Given: a Fetch v17 response whose topic count is a varint that never ends
        connect(true);
        final ByteBuf response = fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(false));
        final int bodyOffset = 4 + 4 + 1;
        for (int i = 0; i < 5; i++)
        {
            response.setByte(bodyOffset + 10 + i, 0x80);
        }
        final List<ByteBuf> chunks = chunks(response);

        // When
        broker.writeInbound(chunks.get(0));

        // Then: rejected as malformed, both sides closed, the chunks never read released by the test
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(registry.find(ProxyMetrics.FRAMES_REJECTED).tag("reason", "malformed").counters())
            .anySatisfy(counter -> assertThat(counter.count()).isEqualTo(1));
        for (int i = 1; i < chunks.size(); i++)
        {
            chunks.get(i).release();
        }
    }

    @Test
    void shouldAssembleAFetchResponseOwedAnAmendment() throws Exception
    {
        // Given: the client may not read one of the two topics it fetches, so the proxy adds its denial to the answer
        connect(true, PolicyConfigs.withPolicy("""
            acl:
              defaultPolicy: allow
              rules:
                - {effect: deny, principal: test, resourceType: topic, resourceName: guarded, operations: [read]}
            """).apply(POLICY_CONFIG));
        final short version = 12;
        client.writeInbound(request(ApiKeys.FETCH, version, 5, new FetchRequestData().setMaxWaitMs(0).setMaxBytes(1 << 20)
            .setTopics(List.of(
                new FetchRequestData.FetchTopic().setTopic("t").setPartitions(List.of(new FetchRequestData.FetchPartition())),
                new FetchRequestData.FetchTopic().setTopic("guarded").setPartitions(List.of(new FetchRequestData.FetchPartition()))))));
        releaseAll(broker);
        final List<ByteBuf> chunks = chunks(response(ApiKeys.FETCH, version, 5, fetch(false)));

        // When
        broker.writeInbound(chunks.get(0));

        // Then: nothing goes until the response is whole and amended
        assertThat(clientBytes()).isEmpty();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        final FetchResponseData answer = parse(clientBytes(), version);
        assertThat(answer.responses()).extracting(FetchResponseData.FetchableTopicResponse::topic).containsExactlyInAnyOrder("t", "guarded");
        assertThat(registry.get(ProxyMetrics.RESPONSES_STREAMED).counter().count()).isZero();
    }

    @Test
    void shouldStopReadingTheBrokerWhileTheClientCannotTakeTheStreamedBytes()
    {
        // Given: a tiny client write buffer
        connect(true);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));

        // When: the first read's bytes are written, not yet flushed
        broker.pipeline().fireChannelRead(chunks.get(0));

        // Then: the broker is not read until the client side drains
        assertThat(client.isWritable()).isFalse();
        assertThat(broker.config().isAutoRead()).isFalse();
        broker.pipeline().fireChannelReadComplete();
        assertThat(broker.config().isAutoRead()).isTrue();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        assertThat(clientBytes()).isEqualTo(expected);
    }

    @Test
    void shouldKeepStreamingAResponseTheClientDrainsSlowerThanTheRequestTimeout()
    {
        // Given: breakers on with a short request timeout, and a response streaming to a client that cannot take more
        breakerConfig = new CircuitBreakerConfig(true, CircuitBreakerConfig.DEFAULT_FAILURE_THRESHOLD,
            CircuitBreakerConfig.DEFAULT_OPEN_DURATION, Duration.ofMillis(50));
        connect(true);
        // The timeout's check runs only when the test moves the loop's clock; the deadline it checks is real time.
        client.freezeTime();
        final long sentNanos = System.nanoTime();
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        broker.pipeline().fireChannelRead(chunks.get(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - sentNanos > TimeUnit.MILLISECONDS.toNanos(200));

        // When: the request timeout's check runs, well past the timeout, the client still unable to take the rest
        client.advanceTimeBy(1, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();

        // Then: the broker answered, so nothing timed out; once the client drains, the rest follows
        assertThat(client.isWritable()).isFalse();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        assertThat(broker.isOpen()).isTrue();
        broker.pipeline().fireChannelReadComplete();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        assertThat(clientBytes()).isEqualTo(expected);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldReleaseAWholeResponseThatCannotBeViewedInPlaceAndClose()
    {
        // Given: a whole response in two pieces, as a composite (the frame decoder passes none on; this is the guard)
        connect(true);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final int half = response.readableBytes() / 2;
        final CompositeByteBuf frame = Unpooled.compositeBuffer()
            .addComponent(true, response.retainedSlice(0, half))
            .addComponent(true, response.retainedSlice(half, response.readableBytes() - half));
        response.release();

        // When
        broker.pipeline().context(KafkaFrameDecoder.class).fireChannelRead(frame);

        // Then: released, and the connection closed as for any response it cannot read
        assertThat(frame.refCnt()).isZero();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    @Test
    void shouldTimeAStreamedResponseAtItsFirstByte()
    {
        // Given
        connect(true);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final int length = response.readableBytes();
        final List<ByteBuf> chunks = chunks(response);
        final Timer latency = registry.get(ApiMeters.REQUEST_LATENCY).tag(ApiMeters.API, "Fetch").timer();

        // When: only the first read
        broker.writeInbound(chunks.get(0));
        final long timedAtHead = latency.count();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }

        // Then: timed once, when the broker answered; the rest drains at the client's pace, not the broker's
        assertThat(timedAtHead).isEqualTo(1);
        assertThat(latency.count()).isEqualTo(1);
        assertThat(registry.get(ApiMeters.BYTES).tag(ApiMeters.API, "Fetch").tag(ApiMeters.DIRECTION, "broker_to_client").counter().count())
            .isEqualTo(length);
        clientBytes();
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldRewriteTheNodeEndpointsOfAStreamedResponseInTheLengthAlreadySent()
    {
        // Given: node 7's proxy listener is bound, and its proxy address is shorter than the broker's
        final short version = ApiKeys.FETCH.latestVersion(true);
        connect(true);
        nodes.proxyPort(7, "broker-7.internal.example", 9092);
        listenerStarts.get(0).setSuccess(45007);
        final FetchResponseData data = fetch(true);
        final ByteBuf response = fetchRoundTrip(version, data);
        final int length = response.readableBytes();

        // When
        for (final ByteBuf chunk : chunks(response))
        {
            broker.writeInbound(chunk);
        }

        // Then: same length, same records, the proxy's address for node 7
        final byte[] answer = clientBytes();
        assertThat(answer).hasSize(length);
        final FetchResponseData parsed = parse(answer, version);
        assertThat(parsed.nodeEndpoints()).hasSize(1);
        assertThat(parsed.nodeEndpoints().find(7).host()).isEqualTo("proxy.example");
        assertThat(parsed.nodeEndpoints().find(7).port()).isEqualTo(45007);
        assertThat(parsed.responses()).isEqualTo(new FetchResponseData(MessageUtil.toByteBufferAccessor(data, version), version).responses());
        assertThat(registry.get(ProxyMetrics.STREAMED_ENDPOINTS_DROPPED).counter().count()).isZero();
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldAssembleTheResponseWhenCutThroughIsOff()
    {
        // Given
        connect(false);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);

        // When
        broker.writeInbound(chunks.get(0));

        // Then
        assertThat(clientBytes()).isEmpty();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        assertThat(clientBytes()).isEqualTo(expected);
        assertThat(registry.get(ProxyMetrics.RESPONSES_STREAMED).counter().count()).isZero();
    }

    @Test
    void shouldNotStreamAResponseTheProxyRewritesWhole()
    {
        // Given: Metadata, whose broker addresses the proxy rewrites
        connect(true);
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 9, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        final ByteBuf response = response(ApiKeys.METADATA, (short)12, 9,
            new org.apache.kafka.common.message.MetadataResponseData().setClusterId("c".repeat(3000)));
        final List<ByteBuf> chunks = chunks(response);

        // When
        broker.writeInbound(chunks.get(0));

        // Then
        assertThat(clientBytes()).isEmpty();
        for (int i = 1; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        assertThat(clientBytes()).isNotEmpty();
        assertThat(registry.get(ProxyMetrics.RESPONSES_STREAMED).counter().count()).isZero();
    }

    @Test
    void shouldCloseTheClientWhenTheBrokerClosesMidStream()
    {
        // Given
        connect(true);
        final ByteBuf response = fetchRoundTrip((short)12, fetch(false));
        final List<ByteBuf> chunks = chunks(response);
        broker.writeInbound(chunks.get(0));
        assertThat(clientBytes()).hasSize(CHUNK_BYTES);

        // When
        broker.close();

        // Then: the client, left with part of a frame, is closed; the chunks never read are released
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.isOpen()).isFalse();
        for (int i = 1; i < chunks.size(); i++)
        {
            chunks.get(i).release();
        }
    }

    @Test
    void shouldFlushAStreamedResponseAtItsHeadAndEndButNotAfterEachRead()
    {
        // Given
        connect(true);
        final ByteBuf response = fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);
        assertThat(chunks).hasSizeGreaterThan(3);

        // When: the head, then the reads in between
        broker.writeInbound(chunks.get(0));
        final byte[] head = clientBytes();
        for (int i = 1; i < chunks.size() - 1; i++)
        {
            broker.writeInbound(chunks.get(i));
        }

        // Then: the head went on with its read batch; the reads in between (far below the flush size) wait, written
        assertThat(head).isEqualTo(slice(expected, 0, CHUNK_BYTES));
        assertThat(client.outboundMessages()).isEmpty();
        // (What waits is the bytes, plus Netty's overhead per message.)
        assertThat(client.unsafe().outboundBuffer().totalPendingWriteBytes())
            .isGreaterThanOrEqualTo(expected.length - CHUNK_BYTES - chunks.get(chunks.size() - 1).readableBytes());

        // When: the last read
        broker.writeInbound(chunks.get(chunks.size() - 1));

        // Then: everything is flushed with the batch that ended the response
        assertThat(concat(head, clientBytes())).isEqualTo(expected);
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldFlushAStreamedResponseWhenTheClientChannelTurnsUnwritable()
    {
        // Given: a client channel that turns unwritable after a few hundred bytes
        connect(true);
        final ByteBuf response = fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(false));
        final byte[] expected = bytes(response);
        final List<ByteBuf> chunks = chunks(response);
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(CHUNK_BYTES / 2, CHUNK_BYTES / 2 + 1));
        broker.writeInbound(chunks.get(0));
        final byte[] head = clientBytes();

        // When: a read in between, more than the client channel takes unflushed
        broker.writeInbound(chunks.get(1));

        // Then: flushed at once, so that the broker's reads, paused meanwhile, go on
        assertThat(concat(head, clientBytes())).isEqualTo(slice(expected, 0, 2 * CHUNK_BYTES));
        for (int i = 2; i < chunks.size(); i++)
        {
            broker.writeInbound(chunks.get(i));
        }
        assertThat(clientBytes()).isEqualTo(slice(expected, 2 * CHUNK_BYTES, expected.length - 2 * CHUNK_BYTES));
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldPassOnAnEmptyTaggedFieldsByteThatArrivesInARead()
    {
        for (final int lastReadBytes : new int[] {1, 10})
        {
            // Given: a Fetch v17 response without endpoints, its tagged fields (one byte, 0) in a last read of their own
            // or at the end of a last read
            final ResponseCutThroughTest test = new ResponseCutThroughTest();
            test.connect(true);
            final ByteBuf response = test.fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(false));
            final byte[] expected = bytes(response);
            final ByteBuf last = response.retainedSlice(response.writerIndex() - lastReadBytes, lastReadBytes);
            response.writerIndex(response.writerIndex() - lastReadBytes);
            for (final ByteBuf chunk : chunks(response))
            {
                test.broker.writeInbound(chunk);
            }

            // When
            test.broker.writeInbound(last);

            // Then: the last read goes on as it came, one message, the tagged fields byte included; the answer is whole
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] lastWritten = null;
            ByteBuf message;
            while ((message = test.client.readOutbound()) != null)
            {
                lastWritten = bytes(message);
                answer.writeBytes(lastWritten);
                message.release();
            }
            assertThat(lastWritten).as("last read of %d bytes", lastReadBytes).hasSize(lastReadBytes);
            assertThat(answer.toByteArray()).isEqualTo(expected);
            test.assertAnsweredAndStillUsable();
            test.tearDown();
        }
    }

    @Test
    void shouldNotPinTheReadsOfTheHeldTaggedFields()
    {
        // Given: every read but the last, which ends the tagged fields, so part of them is held
        final short version = ApiKeys.FETCH.latestVersion(true);
        connect(true);
        final ByteBuf response = fetchRoundTrip(version, fetch(true));
        final int length = response.readableBytes();
        final ByteBuf last = response.retainedSlice(response.writerIndex() - 10, 10);
        response.writerIndex(response.writerIndex() - 10);
        final List<ByteBuf> chunks = chunks(response);

        // When
        for (final ByteBuf chunk : chunks)
        {
            broker.writeInbound(chunk);
        }
        // The client takes what flowed so far (streamed bytes otherwise wait for the flush size or the response's end).
        client.flush();
        final byte[] first = clientBytes();
        final List<Integer> referencesLeft = chunks.stream().map(ByteBuf::refCnt).toList();
        broker.writeInbound(last);

        // Then: what was held is a copy, the reads it came in were free before the response ended; the answer is whole
        assertThat(referencesLeft).containsOnly(0);
        final byte[] answer = concat(first, clientBytes());
        assertThat(answer).hasSize(length);
        assertThat(parse(answer, version).nodeEndpoints()).isEmpty();
        assertAnsweredAndStillUsable();
    }

    @Test
    void shouldReleaseTheHeldTaggedFieldsWhenTheClientClosesMidStream()
    {
        // Given: every read but the last, which ends the tagged fields, so part of them is held
        connect(true);
        final ByteBuf response = fetchRoundTrip(ApiKeys.FETCH.latestVersion(true), fetch(true));
        final ByteBuf last = response.retainedSlice(response.writerIndex() - 10, 10);
        response.writerIndex(response.writerIndex() - 10);
        for (final ByteBuf chunk : chunks(response))
        {
            broker.writeInbound(chunk);
        }
        releaseAll(client);

        // When
        client.close();

        // Then: both sides closed; paranoid leak detection finds no unreleased slice
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(broker.isOpen()).isFalse();
        last.release();
    }

    /** Sends a Fetch request through, and returns the broker's answer to it, not yet delivered. */
    private ByteBuf fetchRoundTrip(final short version, final FetchResponseData data)
    {
        client.writeInbound(request(ApiKeys.FETCH, version, 5, new FetchRequestData().setMaxWaitMs(0).setMaxBytes(1 << 20)));
        releaseAll(broker);
        return response(ApiKeys.FETCH, version, 5, data);
    }

    private void assertAnsweredAndStillUsable()
    {
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 6, new MetadataRequestData().setTopics(List.of())));
        final ByteBuf forwarded = broker.readOutbound();
        assertThat(forwarded).isNotNull();
        forwarded.release();
    }

    private void connect(final boolean cutThrough)
    {
        connect(cutThrough, POLICY_CONFIG);
    }

    private void connect(final boolean cutThrough, final ProxyConfig policyConfig)
    {
        connection = EmbeddedConnections.link(client, broker, nodes, metrics, registry, audit, policyConfig, breakerConfig,
            cutThrough, false);
    }

    private byte[] clientBytes()
    {
        return written(client);
    }

    private static FetchResponseData fetch(final boolean withEndpoints)
    {
        final SimpleRecord[] records = new SimpleRecord[100];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).repeat(10).getBytes(StandardCharsets.UTF_8));
        }
        final FetchResponseData data = new FetchResponseData();
        data.responses().add(new FetchResponseData.FetchableTopicResponse()
            .setTopicId(new Uuid(1, 2))
            .setTopic("t")
            .setPartitions(List.of(new FetchResponseData.PartitionData()
                .setPartitionIndex(0)
                .setHighWatermark(100)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, records)))));
        if (withEndpoints)
        {
            data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(7).setHost("broker-7.internal.example").setPort(9092));
        }
        return data;
    }

    private static FetchResponseData parse(final byte[] frame, final short version)
    {
        final ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(frame, 4, frame.length - 4));
        new ResponseHeaderData(accessor, ApiKeys.FETCH.responseHeaderVersion(version));
        return new FetchResponseData(accessor, version);
    }

    private static ByteBuf rawApiVersionsRequest(final short version, final int correlationId)
    {
        final ByteBuffer header = ByteBuffer.allocate(11).putShort(ApiKeys.API_VERSIONS.id).putShort(version)
            .putInt(correlationId).putShort((short)0).put((byte)0).flip();
        return frame(header, ByteBuffer.allocate(0));
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

}
