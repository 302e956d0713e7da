package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
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

class ShadowProduceEncoderTest
{
    @Test
    void shouldEncodeRequestsKafkaReadsBackInEveryVersionTheMirrorSends()
    {
        for (short version = MirrorSender.MIN_PRODUCE_VERSION; version <= MirrorSender.MAX_PRODUCE_VERSION; version++)
        {
            // Given
            final MemoryRecords first = records("a");
            final MemoryRecords second = records("bb");
            final MemoryRecords third = records("ccc");
            final String longName = "t".repeat(200);

            // When
            final ByteBuf frame = ShadowProduceEncoder.encode(version, 42, (short)-1, 5000,
                new String[] {"orders", "orders", longName}, new int[] {0, 2, 1},
                new ByteBuf[] {Unpooled.wrappedBuffer(first.buffer()), Unpooled.wrappedBuffer(second.buffer()),
                    Unpooled.wrappedBuffer(third.buffer())});

            // Then
            try
            {
                final ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
                frame.getBytes(frame.readerIndex(), bytes);
                bytes.flip();
                assertThat(bytes.getInt()).as("v%d size", version).isEqualTo(bytes.remaining());
                final ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
                final RequestHeaderData header = new RequestHeaderData(accessor,
                    ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.PRODUCE, version));
                final ProduceRequestData body = new ProduceRequestData(accessor, version);
                assertThat(bytes.remaining()).as("v%d trailing bytes", version).isZero();
                assertThat(header.correlationId()).isEqualTo(42);
                assertThat(header.requestApiVersion()).isEqualTo(version);
                assertThat(body.acks()).isEqualTo((short)-1);
                assertThat(body.timeoutMs()).isEqualTo(5000);
                assertThat(body.transactionalId()).isNull();
                final List<String> seen = new ArrayList<>();
                for (final ProduceRequestData.TopicProduceData topic : body.topicData())
                {
                    for (final ProduceRequestData.PartitionProduceData partition : topic.partitionData())
                    {
                        seen.add(topic.name() + "/" + partition.index() + "=" +
                            ((MemoryRecords)partition.records()).sizeInBytes());
                    }
                }
                assertThat(seen).as("v%d", version).containsExactly("orders/0=" + first.sizeInBytes(),
                    "orders/2=" + second.sizeInBytes(), longName + "/1=" + third.sizeInBytes());
            }
            finally
            {
                frame.release();
            }
        }
    }

    private static MemoryRecords records(final String value)
    {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
    }
}
