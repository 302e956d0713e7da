package io.kafkaproxy.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProduceRequestFlyweightTest
{
    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();

    @ParameterizedTest
    @ValueSource(shorts = {-1, 0, 1})
    void shouldReadAcksOfEveryVersionKafkaWrites(final short acks)
    {
        for (short version = ApiKeys.PRODUCE.oldestVersion(); version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            // Given
            final ProduceRequestData data = new ProduceRequestData()
                .setAcks(acks)
                .setTimeoutMs(30000)
                .setTransactionalId(version % 2 == 0 ? "txn-\u00e9" : null);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            produce.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            assertThat(produce.acks()).as("v%d", version).isEqualTo(acks);
        }
    }

    @Test
    void shouldReadAcksOfVersionsBeforeTransactions()
    {
        // Given: Produce v0-v2 start with acks (kafka-clients 4 no longer writes them)
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);
        buffer.putShort(0, (short)0, ByteOrder.BIG_ENDIAN);
        buffer.putInt(2, 1000, ByteOrder.BIG_ENDIAN);
        buffer.putInt(6, 0, ByteOrder.BIG_ENDIAN);

        // When
        produce.wrap(buffer, 0, 10, (short)2);

        // Then
        assertThat(produce.acks()).isEqualTo(ProduceRequestFlyweight.ACKS_NONE);
    }

    @Test
    void shouldRejectTruncatedProduceRequest()
    {
        // Given: a v3 body whose transactional id claims more bytes than there are
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putShort(0, (short)50, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> produce.wrap(buffer, 0, 4, (short)3))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=transactional_id");
    }
}
