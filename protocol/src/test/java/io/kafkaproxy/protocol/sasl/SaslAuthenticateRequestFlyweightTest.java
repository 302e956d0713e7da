package io.kafkaproxy.protocol.sasl;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslAuthenticateRequestFlyweightTest
{
    private static final byte[] TOKEN = "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(StandardCharsets.US_ASCII);

    private final SaslAuthenticateRequestFlyweight authenticate = new SaslAuthenticateRequestFlyweight();

    @Test
    void shouldPointAtTheAuthBytesOfEveryVersion()
    {
        for (short version = ApiKeys.SASL_AUTHENTICATE.oldestVersion(); version <= ApiKeys.SASL_AUTHENTICATE.latestVersion(true); version++)
        {
            // Given
            final SaslAuthenticateRequestData data = new SaslAuthenticateRequestData().setAuthBytes(TOKEN);
            if (version >= 2)
            {
                data.unknownTaggedFields().add(new RawTaggedField(1, new byte[] {1, 2, 3}));
            }
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);

            // When
            authenticate.wrap(buffer, WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(data, version), version);

            // Then
            final byte[] authBytes = new byte[authenticate.authBytesLength()];
            buffer.getBytes(authenticate.authBytesOffset(), authBytes);
            assertThat(authBytes).as("v%d", version).isEqualTo(TOKEN);
        }
    }

    @Test
    void shouldReadAClassicLengthByteByByte()
    {
        // Given: v1, a four-byte token at offset 5
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putInt(1, 4, ByteOrder.BIG_ENDIAN);

        // When
        authenticate.wrap(buffer, 1, 8, (short)1);

        // Then
        assertThat(authenticate.authBytesOffset()).isEqualTo(5);
        assertThat(authenticate.authBytesLength()).isEqualTo(4);
    }

    @Test
    void shouldReadACompactLengthByteByByte()
    {
        // Given: v2, a 200-byte token whose compact length (201) takes two varint bytes
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        buffer.putByte(0, (byte)0xC9);
        buffer.putByte(1, (byte)0x01);

        // When
        authenticate.wrap(buffer, 0, 203, (short)2);

        // Then
        assertThat(authenticate.authBytesOffset()).isEqualTo(2);
        assertThat(authenticate.authBytesLength()).isEqualTo(200);
    }

    @Test
    void shouldRejectEveryTruncation()
    {
        for (short version = 0; version <= 2; version++)
        {
            // Given
            final SaslAuthenticateRequestData data = new SaslAuthenticateRequestData().setAuthBytes(TOKEN);
            final UnsafeBuffer buffer = WireFixtures.serialize(data, version);
            final int tagsLength = version >= 2 ? 1 : 0;
            final int endOfAuthBytes = WireFixtures.bodyLength(data, version) - tagsLength;

            for (int length = 0; length < endOfAuthBytes; length++)
            {
                final int truncatedLength = length;
                final short truncatedVersion = version;

                // When / Then
                assertThatThrownBy(() ->
                    authenticate.wrap(buffer, WireFixtures.BODY_OFFSET, truncatedLength, truncatedVersion))
                    .as("v%d cut at %d", version, length)
                    .isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining("field=auth_bytes");
            }
        }
    }

    @Test
    void shouldRejectNullOrNegativeAuthBytesLength()
    {
        // Given
        final UnsafeBuffer nullBytes = new UnsafeBuffer(new byte[8]);
        nullBytes.putInt(0, -1, ByteOrder.BIG_ENDIAN);
        final UnsafeBuffer negativeBytes = new UnsafeBuffer(new byte[8]);
        negativeBytes.putInt(0, Integer.MIN_VALUE, ByteOrder.BIG_ENDIAN);
        final UnsafeBuffer nullCompactBytes = new UnsafeBuffer(new byte[] {0x00, 0x00});

        // When / Then
        assertThatThrownBy(() -> authenticate.wrap(nullBytes, 0, 8, (short)0))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=auth_bytes");
        assertThatThrownBy(() -> authenticate.wrap(negativeBytes, 0, 8, (short)1))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative length: field=auth_bytes, length=-2147483648");
        assertThatThrownBy(() -> authenticate.wrap(nullCompactBytes, 0, 2, (short)2))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("null where the schema allows none: field=auth_bytes");
    }
}
