package io.kafkaproxy.proxy.policy;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TopicIdLearningStageTest
{
    private final TopicIdNames topicIds = new TopicIdNames();
    private final TopicIdLearningStage stage = new TopicIdLearningStage(topicIds);

    @Test
    void shouldLearnTheTopicIdsOfAMetadataResponse()
    {
        // Given
        final Uuid orders = new Uuid(1L, 2L);
        final Uuid payments = new Uuid(3L, 4L);
        final ByteBuf response = metadata((short)12, topic("orders", orders), topic("payments", payments));

        // When
        onResponse(response, (short)12);

        // Then
        assertThat(topicIds.name(1L, 2L)).isEqualTo("orders");
        assertThat(topicIds.name(3L, 4L)).isEqualTo("payments");
    }

    @Test
    void shouldLearnNothingFromAMetadataVersionWithoutTopicIds()
    {
        // Given
        final ByteBuf response = metadata((short)9, topic("orders", Uuid.ZERO_UUID));

        // When
        onResponse(response, (short)9);

        // Then
        assertThat(topicIds.size()).isZero();
    }

    private void onResponse(final ByteBuf response, final short version)
    {
        try
        {
            stage.onResponse(response, ApiKeys.METADATA.id, version, PolicyFixtures.responseBodyOffset(ApiKeys.METADATA, version));
        }
        finally
        {
            response.release();
        }
    }

    private static ByteBuf metadata(final short version, final MetadataResponseTopic... topics)
    {
        return PolicyFixtures.response(ApiKeys.METADATA, version,
            new MetadataResponseData().setTopics(new MetadataResponseTopicCollection(List.of(topics).iterator())));
    }

    private static MetadataResponseTopic topic(final String name, final Uuid id)
    {
        return new MetadataResponseTopic().setName(name).setTopicId(id);
    }
}
