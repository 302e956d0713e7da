package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.CircuitBreakerConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
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
 * Request cut-through at the handler level: a client channel's frame decoder, header decoder and frontend handler, the
 * connection's state machine, a broker channel; requests delivered to the client channel in chunks, one per read.
 */
class RequestCutThroughTest
{
    private static final ProxyConfig POLICY_CONFIG = ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("broker", 9092)), null)).build();
    private static final short PRODUCE_VERSION = 9;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry);
    private final AuditLog audit = new AuditLog(POLICY_CONFIG.audit(), registry);
    private final BrokerNodeRegistry nodes = new BrokerNodeRegistry("proxy.example", 0, 1,
        (nodeId, port) -> ImmediateEventExecutor.INSTANCE.newSucceededFuture(port), ImmediateEventExecutor.INSTANCE);
    private final EmbeddedChannel broker = new EmbeddedChannel(false, false);
    private final EmbeddedChannel client = new EmbeddedChannel(false, false);
    private CircuitBreakerConfig breakerConfig = POLICY_CONFIG.circuitBreaker();
    private ClientConnectionStateMachine connection;

    @AfterEach
    void tearDown()
    {
        client.finishAndReleaseAll();
        broker.finishAndReleaseAll();
        audit.close();
    }

    @Test
    void shouldStreamAProduceRequestToTheBrokerAsItsChunksArrive()
    {
        // Given
        connect(true, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)-1, "orders");
        final byte[] expected = bytes(request);
        final List<ByteBuf> chunks = chunks(request);

        // When: the first read
        client.writeInbound(chunks.get(0));

        // Then: its bytes are on their way to the broker before the rest arrives
        assertThat(brokerBytes()).isEqualTo(slice(expected, 0, CHUNK_BYTES));

        // When: the rest
        final ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
            rest.writeBytes(brokerBytes());
        }

        // Then: the broker has the request byte for byte, counted as streamed; its answer finds the entry made at its head
        assertThat(rest.toByteArray()).isEqualTo(slice(expected, CHUNK_BYTES, expected.length - CHUNK_BYTES));
        assertThat(streamedRequests()).isEqualTo(1.0);
        broker.writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 5, new ProduceResponseData()));
        assertThat(clientFrames()).isEqualTo(1);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldStreamAnAcksZeroProduceRequestWithoutWaitingForAnAnswer()
    {
        // Given
        connect(true, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)0, "orders");
        final int length = request.readableBytes();

        // When
        for (final ByteBuf chunk : chunks(request))
        {
            client.writeInbound(chunk);
        }
        final int forwarded = brokerBytes().length;
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 6, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 6, new MetadataResponseData()));

        // Then: no entry was made for it, so the next request's answer matches
        assertThat(forwarded).isEqualTo(length);
        assertThat(streamedRequests()).isEqualTo(1.0);
        assertThat(clientFrames()).isEqualTo(1);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldAssembleTheRequestWhenCutThroughIsOff()
    {
        // Given
        connect(false, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)-1, "orders");
        final int length = request.readableBytes();
        final List<ByteBuf> chunks = chunks(request);

        // When
        client.writeInbound(chunks.get(0));
        final int afterFirstRead = brokerBytes().length;
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
        }

        // Then
        assertThat(afterFirstRead).isZero();
        assertThat(brokerBytes()).hasSize(length);
        assertThat(streamedRequests()).isZero();
    }

    @Test
    void shouldAssembleAProduceRequestWhoseTopicsAnAclRuleNeeds()
    {
        // Given: the client may not write to one topic, so every Produce request's topics are read
        connect(true, PolicyConfigs.parse("""
            acl:
              defaultPolicy: allow
              rules:
                - effect: deny
                  principal: test
                  resourceType: topic
                  resourceName: guarded
                  operations: [write]
            """));
        final ByteBuf request = produce(5, (short)-1, "orders");
        final int length = request.readableBytes();
        final List<ByteBuf> chunks = chunks(request);

        // When
        client.writeInbound(chunks.get(0));
        final int afterFirstRead = brokerBytes().length;
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
        }

        // Then: forwarded whole, as before cut-through
        assertThat(afterFirstRead).isZero();
        assertThat(brokerBytes()).hasSize(length);
        assertThat(streamedRequests()).isZero();
    }

    @Test
    void shouldAssembleARequestWhoseFirstReadEndsInsideItsHeader()
    {
        // Given
        connect(true, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)-1, "orders");
        final int length = request.readableBytes();
        final ByteBuf tiny = Unpooled.directBuffer(12).writeBytes(request, 12);

        // When
        client.writeInbound(tiny);
        for (final ByteBuf chunk : chunks(request))
        {
            client.writeInbound(chunk);
        }

        // Then
        assertThat(brokerBytes()).hasSize(length);
        assertThat(streamedRequests()).isZero();
    }

    @Test
    void shouldAssembleALargeRequestOtherThanProduce()
    {
        // Given: a Metadata request naming many topics, larger than one read
        connect(true, POLICY_CONFIG);
        final List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            topics.add(new MetadataRequestData.MetadataRequestTopic().setName("topic-" + i));
        }
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(topics));
        final int length = request.readableBytes();

        // When
        for (final ByteBuf chunk : chunks(request))
        {
            client.writeInbound(chunk);
        }

        // Then
        assertThat(brokerBytes()).hasSize(length);
        assertThat(streamedRequests()).isZero();
    }

    @Test
    void shouldCloseBothSidesWhenTheClientClosesMidStream()
    {
        // Given: half a request on its way to the broker
        connect(true, POLICY_CONFIG);
        final List<ByteBuf> chunks = chunks(produce(5, (short)-1, "orders"));
        client.writeInbound(chunks.get(0));
        releaseAll(broker);

        // When
        client.close();

        // Then: the broker cannot make sense of half a request, so its connection closes too; no slice is leaked
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(broker.isOpen()).isFalse();
        chunks.subList(1, chunks.size()).forEach(ByteBuf::release);
    }

    @Test
    void shouldCloseTheClientWhenTheBrokerClosesMidStream()
    {
        // Given
        connect(true, POLICY_CONFIG);
        final List<ByteBuf> chunks = chunks(produce(5, (short)-1, "orders"));
        client.writeInbound(chunks.get(0));
        releaseAll(broker);

        // When: the broker goes, and the rest of the read the decoder is in still comes
        broker.close();
        connection.onClientRequestBytes(chunks.get(1));
        connection.onClientRequestEnd();

        // Then: the rest of the request is dropped as it comes (paranoid leak detection), and the client is closed
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.isOpen()).isFalse();
        chunks.subList(2, chunks.size()).forEach(ByteBuf::release);
    }

    @Test
    void shouldFinishAStreamingRequestBeforeADrainStopsTheReads()
    {
        // Given: half a request on its way to the broker
        connect(true, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)-1, "orders");
        final int length = request.readableBytes();
        final List<ByteBuf> chunks = chunks(request);
        client.writeInbound(chunks.get(0));

        // When: the proxy drains, then the rest arrives
        connection.onDrain();
        final boolean readingMidStream = client.config().isAutoRead();
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
        }
        final boolean readingAfter = client.config().isAutoRead();
        final int forwarded = brokerBytes().length;
        broker.writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 5, new ProduceResponseData()));

        // Then: the broker got the whole request, the client its answer, then the connection closed
        assertThat(readingMidStream).isTrue();
        assertThat(readingAfter).isFalse();
        assertThat(forwarded).isEqualTo(length);
        assertThat(clientFrames()).isEqualTo(1);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    @Test
    void shouldFinishAStreamingAcksZeroRequestBeforeADrainClosesTheConnection()
    {
        // Given: half an acks=0 request on its way to the broker, nothing in flight
        connect(true, POLICY_CONFIG);
        final ByteBuf request = produce(5, (short)0, "orders");
        final int length = request.readableBytes();
        final List<ByteBuf> chunks = chunks(request);
        client.writeInbound(chunks.get(0));

        // When: the proxy drains, then the rest arrives
        connection.onDrain();
        final ClientConnectionState midStream = connection.state();
        final ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        forwarded.writeBytes(brokerBytes());
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
            forwarded.writeBytes(brokerBytes());
        }

        // Then: the connection stayed open until the broker had the whole request, then closed
        assertThat(midStream).isNotInstanceOf(ClientConnectionState.Closed.class);
        assertThat(forwarded.size()).isEqualTo(length);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    @Test
    void shouldNotTimeOutARequestTheClientIsStillSending()
    {
        // Given: breakers on with a short request timeout, and a request without a wait of its own, half sent
        breakerConfig = new CircuitBreakerConfig(true, CircuitBreakerConfig.DEFAULT_FAILURE_THRESHOLD,
            CircuitBreakerConfig.DEFAULT_OPEN_DURATION, Duration.ofMillis(50));
        connect(true, POLICY_CONFIG);
        // The timeout's check runs only when the test moves the loop's clock; the deadline it checks is real time.
        client.freezeTime();
        final long sentNanos = System.nanoTime();
        final ByteBuf request = produce(5, (short)-1, "orders", 0);
        final int length = request.readableBytes();
        final List<ByteBuf> chunks = chunks(request);
        client.writeInbound(chunks.get(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - sentNanos > TimeUnit.MILLISECONDS.toNanos(200));

        // When: the request timeout's check runs, well past the timeout, the client still sending
        client.advanceTimeBy(1, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        final boolean openMidStream = broker.isOpen();
        for (final ByteBuf chunk : chunks.subList(1, chunks.size()))
        {
            client.writeInbound(chunk);
        }
        final long endNanos = System.nanoTime();
        final int forwarded = brokerBytes().length;
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - endNanos > TimeUnit.MILLISECONDS.toNanos(200));
        client.advanceTimeBy(1, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();

        // Then: its time was the client's; once whole, the broker's wait started, and the broker left it unanswered
        assertThat(openMidStream).isTrue();
        assertThat(forwarded).isEqualTo(length);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    private void connect(final boolean cutThrough, final ProxyConfig policyConfig)
    {
        connection = EmbeddedConnections.link(client, broker, nodes, metrics, registry, audit, policyConfig, breakerConfig,
            cutThrough, true);
    }

    private double streamedRequests()
    {
        return registry.find(ProxyMetrics.REQUESTS_STREAMED).counter().count();
    }

    private byte[] brokerBytes()
    {
        return written(broker);
    }

    private int clientFrames()
    {
        int frames = 0;
        Object message;
        while ((message = client.readOutbound()) != null)
        {
            final ByteBuf buf = (ByteBuf)message;
            if (buf.isReadable())
            {
                frames++;
            }
            buf.release();
        }
        return frames;
    }

    private static ByteBuf produce(final int correlationId, final short acks, final String topic)
    {
        return produce(correlationId, acks, topic, 30_000);
    }

    private static ByteBuf produce(final int correlationId, final short acks, final String topic, final int timeoutMs)
    {
        final SimpleRecord[] records = new SimpleRecord[10];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(("key-" + i).getBytes(), new byte[1000]);
        }
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setPartitionData(List.of(new PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, records)))));
        return request(ApiKeys.PRODUCE, PRODUCE_VERSION, correlationId,
            new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs).setTopicData(topics));
    }

}
