package io.kafkaproxy.proxy.net;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingApiVersionsTest
{
    @Test
    void shouldAdvertiseOnlyTheVersionsEveryClusterTakes()
    {
        // Given: east is newer than west, and only east has DescribeCluster
        final ApiVersionsResponseData east = brokers(
            version(ApiKeyIds.PRODUCE, 3, 12), version(ApiKeyIds.FETCH, 4, 17), version(ApiKeyIds.API_VERSIONS, 0, 4),
            version(ApiKeyIds.DESCRIBE_CLUSTER, 0, 1), version(ApiKeyIds.SASL_HANDSHAKE, 0, 1));
        final ApiVersionsResponseData west = brokers(
            version(ApiKeyIds.PRODUCE, 0, 9), version(ApiKeyIds.FETCH, 0, 12), version(ApiKeyIds.API_VERSIONS, 0, 3));

        // When
        final ApiVersionsResponseData answer = RoutingApiVersions.intersect(List.of(east, west));

        // Then
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(range(answer, ApiKeyIds.PRODUCE)).containsExactly((short)3, (short)9);
        assertThat(range(answer, ApiKeyIds.FETCH)).containsExactly((short)4, (short)12);
        assertThat(range(answer, ApiKeyIds.API_VERSIONS)).containsExactly((short)0, (short)3);
        assertThat(answer.apiKeys().find(ApiKeyIds.DESCRIBE_CLUSTER)).isNull();
        assertThat(RoutingApiVersions.highestApiVersionsVersion(answer)).isEqualTo((short)3);
    }

    @Test
    void shouldLimitDecodedApisAsAForwardedAnswerIsLimited()
    {
        // Given: a broker newer than the proxy's Metadata decoder
        final ApiVersionsResponseData broker = brokers(version(ApiKeyIds.METADATA, 0, 99), version(ApiKeyIds.DESCRIBE_QUORUM, 0, 2));

        // When
        final ApiVersionsResponseData answer = RoutingApiVersions.intersect(List.of(broker));

        // Then
        assertThat(range(answer, ApiKeyIds.METADATA)).containsExactly((short)0, (short)13);
        assertThat(range(answer, ApiKeyIds.DESCRIBE_QUORUM)).containsExactly((short)0, (short)1);
    }

    @Test
    void shouldAdvertiseTheSaslVersionsTheRoutingListenerAnswers()
    {
        // Given: brokers that advertise SASL versions of their own, or none
        final ApiVersionsResponseData broker = brokers(version(ApiKeyIds.SASL_HANDSHAKE, 0, 1), version(ApiKeyIds.SASL_AUTHENTICATE, 0, 1));

        // When
        final ApiVersionsResponseData answer = RoutingApiVersions.intersect(List.of(broker, brokers()));

        // Then
        assertThat(range(answer, ApiKeyIds.SASL_HANDSHAKE)).containsExactly((short)0, (short)1);
        assertThat(range(answer, ApiKeyIds.SASL_AUTHENTICATE)).containsExactly((short)0, (short)2);
    }

    @Test
    void shouldAnswerAnUnsupportedApiVersionsVersionWithTheRangeAlone()
    {
        // Given
        final ApiVersionsResponseData answer = RoutingApiVersions.intersect(List.of(brokers(
            version(ApiKeyIds.PRODUCE, 0, 9), version(ApiKeyIds.API_VERSIONS, 0, 3))));

        // When
        final ApiVersionsResponseData unsupported = RoutingApiVersions.unsupportedVersion(answer);

        // Then
        assertThat(unsupported.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(unsupported.apiKeys()).hasSize(1);
        assertThat(range(unsupported, ApiKeyIds.API_VERSIONS)).containsExactly((short)0, (short)3);
    }

    private static ApiVersionsResponseData brokers(final ApiVersionsResponseData.ApiVersion... versions)
    {
        final ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        for (final ApiVersionsResponseData.ApiVersion version : versions)
        {
            keys.add(version);
        }
        return new ApiVersionsResponseData().setApiKeys(keys);
    }

    private static ApiVersionsResponseData.ApiVersion version(final short apiKey, final int min, final int max)
    {
        return new ApiVersionsResponseData.ApiVersion().setApiKey(apiKey).setMinVersion((short)min).setMaxVersion((short)max);
    }

    private static List<Short> range(final ApiVersionsResponseData answer, final short apiKey)
    {
        final ApiVersionsResponseData.ApiVersion version = answer.apiKeys().find(apiKey);
        return List.of(version.minVersion(), version.maxVersion());
    }
}
