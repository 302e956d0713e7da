package io.kafkaproxy.protocol.wire;

import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class ApiHeaderVersionsTest
{
    @ParameterizedTest
    @EnumSource(ApiMessageType.class)
    void shouldAgreeWithKafkaOnEveryKnownVersion(final ApiMessageType type)
    {
        for (short version = type.lowestSupportedVersion(); version <= type.highestSupportedVersion(true); version++)
        {
            // Then
            assertThat(ApiHeaderVersions.requestHeaderVersion(type.apiKey(), version))
                .as("%s v%d request header", type.name, version)
                .isEqualTo(type.requestHeaderVersion(version));
            assertThat(ApiHeaderVersions.responseHeaderVersion(type.apiKey(), version))
                .as("%s v%d response header", type.name, version)
                .isEqualTo(type.responseHeaderVersion(version));
        }
    }

    @Test
    void shouldTreatVersionsKafkaFourRemovedAsClassic()
    {
        // Then: Produce v0-v2 and Fetch v0-v3 are gone from kafka-clients 4 but old clients still send them
        assertThat(ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.PRODUCE, (short)0)).isEqualTo((short)1);
        assertThat(ApiHeaderVersions.isFlexible(ApiKeyIds.FETCH, (short)3)).isFalse();
        assertThat(ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.FETCH, (short)0)).isEqualTo((short)0);
    }

    @Test
    void shouldTreatVersionsNewerThanThisBuildAsFlexible()
    {
        // Then
        assertThat(ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.METADATA, (short)99)).isEqualTo((short)2);
        assertThat(ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.METADATA, (short)99)).isEqualTo((short)1);
    }

    @Test
    void shouldAnswerApiVersionsWithHeaderVersionZeroAlways()
    {
        // Then
        assertThat(ApiHeaderVersions.responseHeaderVersion(ApiKeyIds.API_VERSIONS, (short)4)).isEqualTo((short)0);
        assertThat(ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.API_VERSIONS, (short)4)).isEqualTo((short)2);
    }

    @Test
    void shouldNameApisAsKafkaDoes()
    {
        // Then
        assertThat(ApiHeaderVersions.apiName(ApiKeyIds.PRODUCE)).isEqualTo("Produce");
        assertThat(ApiHeaderVersions.apiName(ApiKeyIds.FETCH)).isEqualTo("Fetch");
        assertThat(ApiHeaderVersions.apiName((short)32000)).isEqualTo("Unknown");
        assertThat(ApiHeaderVersions.apiName((short)-3)).isEqualTo("Unknown");
    }

    @Test
    void shouldNotKnowRemovedOrFutureApiKeys()
    {
        // Then
        assertThat(ApiHeaderVersions.isKnownApiKey(ApiKeys.LEADER_AND_ISR.id)).isFalse();
        assertThat(ApiHeaderVersions.isKnownApiKey((short)(ApiHeaderVersions.apiKeyTableSize() + 5))).isFalse();
        assertThat(ApiHeaderVersions.isKnownApiKey(ApiKeys.PRODUCE.id)).isTrue();
    }

    @Test
    void shouldPinApiKeyIdsToKafkas()
    {
        // Then
        assertThat(ApiKeyIds.PRODUCE).isEqualTo(ApiKeys.PRODUCE.id);
        assertThat(ApiKeyIds.FETCH).isEqualTo(ApiKeys.FETCH.id);
        assertThat(ApiKeyIds.METADATA).isEqualTo(ApiKeys.METADATA.id);
        assertThat(ApiKeyIds.FIND_COORDINATOR).isEqualTo(ApiKeys.FIND_COORDINATOR.id);
        assertThat(ApiKeyIds.SASL_HANDSHAKE).isEqualTo(ApiKeys.SASL_HANDSHAKE.id);
        assertThat(ApiKeyIds.API_VERSIONS).isEqualTo(ApiKeys.API_VERSIONS.id);
        assertThat(ApiKeyIds.SASL_AUTHENTICATE).isEqualTo(ApiKeys.SASL_AUTHENTICATE.id);
        assertThat(ApiKeyIds.DESCRIBE_QUORUM).isEqualTo(ApiKeys.DESCRIBE_QUORUM.id);
        assertThat(ApiKeyIds.DESCRIBE_CLUSTER).isEqualTo(ApiKeys.DESCRIBE_CLUSTER.id);
        assertThat(ApiKeyIds.SHARE_FETCH).isEqualTo(ApiKeys.SHARE_FETCH.id);
        assertThat(ApiKeyIds.SHARE_ACKNOWLEDGE).isEqualTo(ApiKeys.SHARE_ACKNOWLEDGE.id);
    }
}
