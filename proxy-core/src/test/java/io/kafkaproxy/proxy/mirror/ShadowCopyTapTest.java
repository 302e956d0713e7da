package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.policy.TopicIdNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShadowCopyTapTest
{
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final MemoryPool slice = new MemoryPool(new MemoryPoolSettings(1L << 20, 64 << 10, 64 << 10,
        MemoryPoolSettings.Backing.DIRECT, null));
    private final MirrorMetrics metrics = new MirrorMetrics(new SimpleMeterRegistry(), "default", slice);
    private final TopicIdNames topicIds = new TopicIdNames();
    private final MirrorTopicMatcher topics = new MirrorTopicMatcher(List.of("orders*"));
    private final MirrorConfig config = MirrorConfig.of(List.of(new HostPort("shadow", 9092)), null, null, List.of("orders*"),
        null, null, Duration.ofSeconds(1));
    private final MirrorSender sender = new MirrorSender(config, loop, new Bootstrap(), null, null, metrics, topics,
        1 << 20, 1000);
    private final ShadowCopyTap tap = new ShadowCopyTap(topics, topicIds, new PoolByteBufAllocator(slice), sender, metrics);

    @AfterEach
    void stop()
    {
        loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        slice.close();
    }

    @Test
    void shouldCountTheMirroredTopicsRecordsAsDroppedWhileTheShadowIsUnreachableAndReleaseTheRequest()
    {
        // Given
        final TopicProduceData orders = new TopicProduceData().setName("orders-eu").setPartitionData(List.of(
            partition(0, 3), partition(1, 2)));
        final TopicProduceData other = new TopicProduceData().setName("inventory").setPartitionData(List.of(partition(0, 4)));
        final ByteBuf request = frame(produce(orders, other), (short)12);

        // When
        tap.onProduce(request, (short)12, System.nanoTime());

        // Then
        assertThat(metrics.dropped()).isEqualTo(5.0);
        assertThat(metrics.bytesInFlight()).isZero();
        assertThat(request.refCnt()).isZero();
        assertThat(slice.stats().inUseBytes()).isZero();
    }

    @Test
    void shouldDropTheRecordsOfATopicNamedByAnIdNotLearntAndIgnoreALearntTopicNotMirrored()
    {
        // Given
        final Uuid unknown = Uuid.randomUuid();
        final Uuid inventory = Uuid.randomUuid();
        final byte[] name = "inventory".getBytes(StandardCharsets.UTF_8);
        topicIds.learn(inventory.getMostSignificantBits(), inventory.getLeastSignificantBits(), new UnsafeBuffer(name), 0,
            name.length);
        final ByteBuf request = frame(produce(
            new TopicProduceData().setTopicId(unknown).setPartitionData(List.of(partition(0, 2))),
            new TopicProduceData().setTopicId(inventory).setPartitionData(List.of(partition(0, 7)))), (short)13);

        // When
        tap.onProduce(request, (short)13, System.nanoTime());

        // Then
        assertThat(metrics.dropped()).isEqualTo(2.0);
        assertThat(request.refCnt()).isZero();
    }

    @Test
    void shouldLeaveAMalformedRequestToTheBrokerAndReleaseIt()
    {
        // Given
        final ByteBuf request = frame(produce(new TopicProduceData().setName("orders").setPartitionData(List.of(partition(0, 2)))),
            (short)12);
        final ByteBuf truncated = request.retainedSlice(0, request.readableBytes() - 20);
        request.release();

        // When
        tap.onProduce(truncated, (short)12, System.nanoTime());

        // Then
        assertThat(truncated.refCnt()).isZero();
        assertThat(metrics.mirrored()).isZero();
    }

    private static PartitionProduceData partition(final int index, final int records)
    {
        final SimpleRecord[] values = new SimpleRecord[records];
        for (int i = 0; i < records; i++)
        {
            values[i] = new SimpleRecord(("value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return new PartitionProduceData().setIndex(index)
            .setRecords(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short)1, 0, values));
    }

    private static ProduceRequestData produce(final TopicProduceData... topics)
    {
        return new ProduceRequestData().setAcks((short)1).setTimeoutMs(1000)
            .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(topics).iterator()));
    }

    private static ByteBuf frame(final ApiMessage body, final short version)
    {
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData().setRequestApiKey(ApiKeyIds.PRODUCE)
            .setRequestApiVersion(version).setCorrelationId(1).setClientId("test"),
            ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.PRODUCE, version)).buffer();
        final ByteBuffer bytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        return Unpooled.directBuffer().writeInt(header.remaining() + bytes.remaining()).writeBytes(header).writeBytes(bytes);
    }
}
