package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaMessageFramesTest
{
    private static final short METADATA_VERSION = 4;

    @Test
    void shouldReadABodyThatFollowsItsSchema()
    {
        // Given
        final ByteBuf frame = PolicyFixtures.request(ApiKeys.METADATA, METADATA_VERSION, "c",
            new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false));

        // When
        final MetadataRequestData read = KafkaMessageFrames.read(frame, bodyOffset(frame), METADATA_VERSION,
            body -> new MetadataRequestData(body, METADATA_VERSION));

        // Then
        assertThat(read.topics()).isEmpty();
        frame.release();
    }

    @Test
    void shouldTurnABufferUnderflowIntoAMalformedFrame()
    {
        // Given: the topic array claims two entries and the body ends there
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.METADATA, METADATA_VERSION, "c", new byte[] {0, 0, 0, 2});

        // When / Then
        assertThatThrownBy(() -> KafkaMessageFrames.read(frame, bodyOffset(frame), METADATA_VERSION,
            body -> new MetadataRequestData(body, METADATA_VERSION)))
            .isInstanceOf(MalformedFrameException.class).hasMessageContaining("apiVersion=4").hasMessageContaining("bodyLength=4");
        frame.release();
    }

    @Test
    void shouldTurnANullWhereTheSchemaAllowsNoneIntoAMalformedFrame()
    {
        // Given
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.SASL_HANDSHAKE, (short)1, "c", new byte[] {-1, -1});

        // When / Then
        assertThatThrownBy(() -> KafkaMessageFrames.read(frame, bodyOffset(frame), (short)1,
            body -> new SaslHandshakeRequestData(body, (short)1)))
            .isInstanceOf(MalformedFrameException.class).hasMessageContaining("mechanism");
        frame.release();
    }

    private static int bodyOffset(final ByteBuf frame)
    {
        // Size field, api key, api version, correlation id, then the client id "c".
        return 4 + 2 + 2 + 4 + 2 + 1;
    }
}
