package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LeaderBatchTest
{
    private static final short VERSION = 12;

    @Test
    void shouldPutAPartitionsSecondCopyInTheNextRequestAndKeepTheOthersTogether()
    {
        // Given
        final LeaderBatch batch = new LeaderBatch();
        batch.add("orders", 0, records("a"), 1, 30);
        batch.add("orders", 1, records("b"), 1, 20);
        batch.add("orders", 0, records("c"), 1, 10);
        batch.add("audit", 0, records("d"), 1, 40);

        // When
        final int count = batch.requestCount();
        final List<String> first = partitionsOf(batch.toRequest(0, VERSION, 1, (short)1, 1000));
        final List<String> second = partitionsOf(batch.toRequest(1, VERSION, 2, (short)1, 1000));

        // Then
        assertThat(count).isEqualTo(2);
        assertThat(first).containsExactly("orders/0=a", "orders/1=b", "audit/0=d");
        assertThat(second).containsExactly("orders/0=c");
    }

    @Test
    void shouldCountAndReleaseWhatIsDropped()
    {
        // Given
        final LeaderBatch batch = new LeaderBatch();
        final ByteBuf kept = records("a");
        final ByteBuf left = records("b");
        batch.add("orders", 0, kept, 1, 1);
        batch.add("orders", 0, left, 2, 2);
        try (MemoryPool slice = new MemoryPool(new MemoryPoolSettings(1L << 20, 64 << 10, 64 << 10,
            MemoryPoolSettings.Backing.DIRECT, null)))
        {
            final MirrorMetrics metrics = new MirrorMetrics(new SimpleMeterRegistry(), "default", slice);
            batch.toRequest(0, VERSION, 1, (short)1, 1000).takeFrame().release();

            // When
            batch.drop(metrics);

            // Then
            assertThat(metrics.dropped()).isEqualTo(2.0);
            assertThat(kept.refCnt()).isZero();
            assertThat(left.refCnt()).isZero();
        }
    }

    private static ByteBuf records(final String value)
    {
        return Unpooled.wrappedBuffer(MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(value.getBytes(StandardCharsets.UTF_8))).buffer());
    }

    private static List<String> partitionsOf(final ShadowRequest request)
    {
        final ByteBuf frame = request.takeFrame();
        try
        {
            final ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.getBytes(frame.readerIndex(), bytes);
            bytes.flip().getInt();
            final ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
            new RequestHeaderData(accessor, ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.PRODUCE, VERSION));
            final ProduceRequestData body = new ProduceRequestData(accessor, VERSION);
            final List<String> seen = new ArrayList<>();
            for (final ProduceRequestData.TopicProduceData topic : body.topicData())
            {
                for (final ProduceRequestData.PartitionProduceData partition : topic.partitionData())
                {
                    final MemoryRecords records = (MemoryRecords)partition.records();
                    final ByteBuffer value = records.records().iterator().next().value();
                    seen.add(topic.name() + "/" + partition.index() + "=" + StandardCharsets.UTF_8.decode(value));
                }
            }
            return seen;
        }
        finally
        {
            frame.release();
        }
    }
}
