package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyApiVersionsTest
{
    @Test
    void shouldAnswerATooNewApiVersionsRequestAsABrokerDoes()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProxyApiVersions.unsupportedVersionResponseLength() + 3]);

        // When
        final int written = ProxyApiVersions.writeUnsupportedVersionResponse(buffer, 3, 4242);

        // Then: a size prefix, header v0 (correlation id only) and an ApiVersions v0 body
        assertThat(written).isEqualTo(ProxyApiVersions.unsupportedVersionResponseLength());
        assertThat(buffer.getInt(3, ByteOrder.BIG_ENDIAN)).isEqualTo(written - 4);
        assertThat(buffer.getInt(7, ByteOrder.BIG_ENDIAN)).isEqualTo(4242);
        final byte[] body = new byte[written - 8];
        buffer.getBytes(11, body);
        final ApiVersionsResponseData response = new ApiVersionsResponseData(new ByteBufferAccessor(ByteBuffer.wrap(body)), (short)0);
        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        final ApiVersionsResponseData.ApiVersion apiVersions = response.apiKeys().find(ApiKeys.API_VERSIONS.id);
        assertThat(apiVersions.minVersion()).isEqualTo((short)0);
        assertThat(apiVersions.maxVersion()).isEqualTo(ProxyApiVersions.highestDecodedVersion(ApiKeyIds.API_VERSIONS));
        assertThat(response.apiKeys().find(ApiKeys.DESCRIBE_QUORUM.id).maxVersion()).isEqualTo((short)1);
        assertThat(response.apiKeys().find(ApiKeys.LEADER_AND_ISR.id)).isNull();
    }

    @Test
    void shouldKeepTheBrokersProduceMinimum()
    {
        // When
        final int range = ProxyApiVersions.advertisedRange(ApiKeyIds.PRODUCE, (short)0, (short)11);

        // Then
        assertThat(ProxyApiVersions.minVersion(range)).isEqualTo((short)0);
        assertThat(ProxyApiVersions.maxVersion(range)).isEqualTo((short)11);
    }

    @Test
    void shouldDropApisWhoseRangesDoNotOverlap()
    {
        // Then
        assertThat(ProxyApiVersions.advertisedRange(ApiKeyIds.SHARE_FETCH, (short)0, (short)0))
            .isEqualTo(ProxyApiVersions.NOT_ADVERTISED);
        assertThat(ProxyApiVersions.advertisedRange((short)-1, (short)0, (short)0))
            .isEqualTo(ProxyApiVersions.NOT_ADVERTISED);
    }

    @Test
    void shouldDecodeEveryVersionThisBuildsKafkaClientsKnowsOfTheApisItRewrites()
    {
        // Then: the proxy's ranges do not lag behind the kafka-clients it is built with
        for (final short apiKey : new short[] {ApiKeyIds.PRODUCE, ApiKeyIds.FETCH, ApiKeyIds.METADATA,
            ApiKeyIds.FIND_COORDINATOR, ApiKeyIds.API_VERSIONS, ApiKeyIds.DESCRIBE_CLUSTER, ApiKeyIds.SHARE_FETCH,
            ApiKeyIds.SHARE_ACKNOWLEDGE})
        {
            assertThat(ProxyApiVersions.highestDecodedVersion(apiKey))
                .as(ApiHeaderVersions.apiName(apiKey))
                .isEqualTo(ApiKeys.forId(apiKey).latestVersion(true));
        }
    }
}
