package io.kafkaproxy.protocol.sasl;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslHandshakeRequestFlyweightTest
{
    private final SaslHandshakeRequestFlyweight handshake = new SaslHandshakeRequestFlyweight();

    @Test
    void shouldReadTheMechanismOfEveryVersion()
    {
        for (short version = ApiKeys.SASL_HANDSHAKE.oldestVersion(); version <= ApiKeys.SASL_HANDSHAKE.latestVersion(true); version++)
        {
            // Given
            final SaslHandshakeRequestData data = new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512");
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            handshake.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version));

            // Then
            assertThat(handshake.mechanism()).as("v%d", version).isEqualTo("SCRAM-SHA-512");
            assertThat(handshake.mechanismOffset()).as("v%d", version).isEqualTo(WireFixtures.BODY_OFFSET + 2);
            assertThat(handshake.mechanismLength()).as("v%d", version).isEqualTo(13);
        }
    }

    @Test
    void shouldReadTheMechanismByteByByte()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putShort(3, (short)5, ByteOrder.BIG_ENDIAN);
        buffer.putStringWithoutLengthAscii(5, "PLAIN");

        // When
        handshake.wrap(buffer, 3, 7);

        // Then
        assertThat(handshake.mechanismOffset()).isEqualTo(5);
        assertThat(handshake.mechanismLength()).isEqualTo(5);
        assertThat(handshake.mechanism()).isEqualTo("PLAIN");
    }

    @Test
    void shouldRejectMechanismLongerThanTheBody()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putShort(0, (short)5, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> handshake.wrap(buffer, 0, 6))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=mechanism, needed=5, remaining=4");
    }

    @Test
    void shouldRejectNullOrNegativeMechanismLength()
    {
        // Given
        final UnsafeBuffer nullMechanism = new UnsafeBuffer(new byte[] {(byte)0xFF, (byte)0xFF});
        final UnsafeBuffer negativeMechanism = new UnsafeBuffer(new byte[] {(byte)0xFF, (byte)0xF0});

        // When / Then
        assertThatThrownBy(() -> handshake.wrap(nullMechanism, 0, 2))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=mechanism");
        assertThatThrownBy(() -> handshake.wrap(negativeMechanism, 0, 2))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=mechanism, length=-16");
    }
}
