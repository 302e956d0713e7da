package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ApiVersionsResponseRewriterTest
{
    private final ApiVersionsResponseRewriter rewriter = new ApiVersionsResponseRewriter();
    private final ResponseSplice splice = new ResponseSplice();

    @Test
    void shouldAdvertiseWhatBothBrokerAndProxyUnderstandInEveryVersion()
    {
        for (short version = ApiKeys.API_VERSIONS.oldestVersion(); version <= ApiKeys.API_VERSIONS.latestVersion(true); version++)
        {
            // Given
            final ApiVersionsResponseData original = brokerResponse(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, version, splice);

            // Then
            assertThat(outcome).isEqualTo(RewriteOutcome.SPLICED);
            final ApiVersionsResponseData actual = parse(buffer, bodyLength, version);
            assertThat(actual.apiKeys())
                .as("v%d", version)
                .extracting(ApiVersion::apiKey, ApiVersion::minVersion, ApiVersion::maxVersion)
                .containsExactly(
                    tuple(ApiKeys.PRODUCE.id, (short)3, (short)13),
                    tuple(ApiKeys.FETCH.id, (short)4, (short)18),
                    tuple(ApiKeys.METADATA.id, (short)0, (short)13),
                    tuple(ApiKeys.CREATE_TOPICS.id, (short)2, (short)99),
                    tuple(ApiKeys.DESCRIBE_QUORUM.id, (short)0, (short)1),
                    tuple(ApiKeys.SHARE_FETCH.id, (short)1, (short)1));
            assertThat(actual.throttleTimeMs()).isEqualTo(version >= 1 ? 12 : 0);
            if (version >= 3)
            {
                assertThat(actual.supportedFeatures()).isEqualTo(original.supportedFeatures());
                assertThat(actual.finalizedFeaturesEpoch()).isEqualTo(5L);
            }
        }
    }

    @Test
    void shouldReadAnUnsupportedVersionAnswerAsVersionZero()
    {
        // Given: the broker did not know v4 and answered in v0, as KIP-511 says
        final ApiVersionsResponseData original = brokerResponse((short)0).setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        final UnsafeBuffer buffer = WireFixtures.serialize(original, (short)0);
        final int bodyLength = WireFixtures.bodyLength(original, (short)0);

        // When
        rewriter.rewrite(buffer, WireFixtures.BODY_OFFSET, bodyLength, (short)4, splice);

        // Then
        final ApiVersionsResponseData actual = parse(buffer, bodyLength, (short)0);
        assertThat(actual.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(actual.apiKeys()).hasSize(6);
    }

    private ApiVersionsResponseData parse(final UnsafeBuffer buffer, final int bodyLength, final short version)
    {
        final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
        return new ApiVersionsResponseData(WireFixtures.accessor(rewritten), version);
    }

    private static ApiVersionsResponseData brokerResponse(final short version)
    {
        final ApiVersionsResponseData data = new ApiVersionsResponseData().setThrottleTimeMs(version >= 1 ? 12 : 0);
        data.apiKeys().add(apiVersion(ApiKeys.PRODUCE.id, 3, 13));
        data.apiKeys().add(apiVersion(ApiKeys.FETCH.id, 4, 19));
        data.apiKeys().add(apiVersion(ApiKeys.METADATA.id, 0, 13));
        data.apiKeys().add(apiVersion(ApiKeys.CREATE_TOPICS.id, 2, 99));
        data.apiKeys().add(apiVersion(ApiKeys.DESCRIBE_QUORUM.id, 0, 2));
        data.apiKeys().add(apiVersion(ApiKeys.SHARE_FETCH.id, 0, 1));
        data.apiKeys().add(apiVersion((short)4000, 0, 1));
        if (version >= 3)
        {
            data.supportedFeatures().add(new SupportedFeatureKey().setName("metadata.version").setMinVersion((short)1).setMaxVersion((short)27));
            data.setFinalizedFeaturesEpoch(5L);
        }
        return data;
    }

    private static ApiVersion apiVersion(final short apiKey, final int min, final int max)
    {
        return new ApiVersion().setApiKey(apiKey).setMinVersion((short)min).setMaxVersion((short)max);
    }
}
