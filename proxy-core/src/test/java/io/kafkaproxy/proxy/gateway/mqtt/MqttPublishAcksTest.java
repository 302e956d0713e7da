package io.kafkaproxy.proxy.gateway.mqtt;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MqttPublishAcksTest
{
    private final MqttPublishAcks acks = new MqttPublishAcks();
    private final List<String> written = new ArrayList<>();

    @Test
    void shouldReleaseAcknowledgementsInTheOrderOfThePublishPackets()
    {
        // Given
        final long first = acks.add(10, MqttPublishAcks.PUBACK);
        final long second = acks.add(11, MqttPublishAcks.PUBREC);
        final long third = acks.add(12, MqttPublishAcks.PUBACK);

        // When
        acks.complete(third, 0);
        acks.complete(second, 0x80);
        final int beforeFirst = acks.release(this::write);
        acks.complete(first, 0);
        final int afterFirst = acks.release(this::write);

        // Then
        assertThat(beforeFirst).isZero();
        assertThat(afterFirst).isEqualTo(3);
        assertThat(written).containsExactly("PUBACK 10 0", "PUBREC 11 128", "PUBACK 12 0");
        assertThat(acks.pending()).isZero();
    }

    @Test
    void shouldGrowPastItsInitialCapacityAndKeepTheOrder()
    {
        // Given
        final long[] sequences = new long[100];
        for (int i = 0; i < sequences.length; i++)
        {
            sequences[i] = acks.add(i + 1, MqttPublishAcks.PUBACK);
        }

        // When
        for (int i = sequences.length - 1; i >= 0; i--)
        {
            acks.complete(sequences[i], 0);
        }
        acks.release(this::write);

        // Then
        assertThat(written).hasSize(100);
        assertThat(written.get(0)).isEqualTo("PUBACK 1 0");
        assertThat(written.get(99)).isEqualTo("PUBACK 100 0");
    }

    @Test
    void shouldCarryTheLargestPacketId()
    {
        // Given
        final long sequence = acks.add(65535, MqttPublishAcks.PUBREC);

        // When
        acks.complete(sequence, 0x97);
        acks.release(this::write);

        // Then
        assertThat(written).containsExactly("PUBREC 65535 151");
    }

    private void write(final int packetId, final int kind, final int reasonCode)
    {
        written.add((kind == MqttPublishAcks.PUBACK ? "PUBACK " : "PUBREC ") + packetId + " " + reasonCode);
    }
}
