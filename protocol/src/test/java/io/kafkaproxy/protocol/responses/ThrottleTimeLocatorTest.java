package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.CreateDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData.DescribedDelegationToken;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData.DescribedDelegationTokenRenewer;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.protocol.types.Schema;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThrottleTimeLocatorTest
{
    private static final int THROTTLE_TIME_MS = 0x12345678;

    private final ThrottleTimeLocator locator = new ThrottleTimeLocator();

    @Test
    void shouldLocateThrottleTimeInEveryResponseVersionWhoseSchemaHasIt()
    {
        int located = 0;
        for (final ApiMessageType type : ApiMessageType.values())
        {
            final Schema[] schemas = type.responseSchemas();
            for (short version = 0; version < schemas.length; version++)
            {
                if (schemas[version] == null)
                {
                    continue;
                }

                // Given
                final boolean schemaHasThrottleTime = hasThrottleTimeField(schemas[version]);

                // When
                final boolean hasThrottleTime = ThrottleTimeLocator.hasThrottleTime(type.apiKey(), version);

                // Then
                assertThat(hasThrottleTime).as("%s v%d", type.name, version).isEqualTo(schemaHasThrottleTime);
                if (schemaHasThrottleTime)
                {
                    assertLocated(type.apiKey(), version, response(type, version));
                    located++;
                }
            }
        }
        assertThat(located).as("api versions with a throttle time").isGreaterThan(250);
    }

    @Test
    void shouldTellWhereThrottleTimeSitsWithoutTheBody()
    {
        // Given, When, Then: leading in Fetch, after the topics in Produce, absent from SaslHandshake
        assertThat(ThrottleTimeLocator.fixedBodyOffset(ApiKeyIds.FETCH, (short)17)).isZero();
        assertThat(ThrottleTimeLocator.fixedBodyOffset(ApiKeyIds.PRODUCE, (short)9)).isEqualTo(ThrottleTimeLocator.NOT_FIXED);
        assertThat(ThrottleTimeLocator.fixedBodyOffset(ApiKeyIds.API_VERSIONS, (short)3)).isEqualTo(ThrottleTimeLocator.NOT_FIXED);
        assertThat(ThrottleTimeLocator.fixedBodyOffset(ApiKeyIds.SASL_HANDSHAKE, (short)1)).isEqualTo(ThrottleTimeLocator.NOT_PRESENT);
    }

    @Test
    void shouldLocateThrottleTimeAfterEveryTopicAndPartitionOfAProduceResponse()
    {
        for (short version = ApiKeys.PRODUCE.oldestVersion(); version <= ApiKeys.PRODUCE.latestVersion(true); version++)
        {
            // Given
            final ProduceResponseData response = produceResponse(version);

            // When / Then
            assertLocated(ApiKeyIds.PRODUCE, version, response);
        }
    }

    @Test
    void shouldLocateThrottleTimeAfterEveryApiKeyOfAnApiVersionsResponse()
    {
        for (short version = 1; version <= ApiKeys.API_VERSIONS.latestVersion(true); version++)
        {
            // Given
            final ApiVersionsResponseData response = apiVersionsResponse(version);

            // When / Then
            assertLocated(ApiKeyIds.API_VERSIONS, version, response);
        }
    }

    @Test
    void shouldLocateThrottleTimeOfProduceV2WhichHasTheLayoutOfV3()
    {
        // Given: kafka-clients 4 writes no Produce v2; v3 only changed which record format requests may carry
        final ProduceResponseData response = produceResponse((short)3);
        final UnsafeBuffer buffer = WireFixtures.serialize(response, (short)3);
        final int bodyLength = WireFixtures.bodyLength(response, (short)3);

        // When
        final int offset = locator.throttleTimeOffset(ApiKeyIds.PRODUCE, (short)2, buffer,
            WireFixtures.BODY_OFFSET, bodyLength);

        // Then
        assertThat(buffer.getInt(offset, ByteOrder.BIG_ENDIAN)).isEqualTo(THROTTLE_TIME_MS);
        assertThat(offset).isEqualTo(WireFixtures.BODY_OFFSET + bodyLength - 4);
    }

    @Test
    void shouldLocateThrottleTimeOfProduceV1ByteByByte()
    {
        // Given: one topic "ab" with two partitions (index, error_code, base_offset), then throttle_time_ms
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int offset = 9;
        buffer.putInt(offset, 1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 4, (short)2, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + 6, (byte)'a');
        buffer.putByte(offset + 7, (byte)'b');
        buffer.putInt(offset + 8, 2, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 40, THROTTLE_TIME_MS, ByteOrder.BIG_ENDIAN);

        // When
        final int located = locator.throttleTimeOffset(ApiKeyIds.PRODUCE, (short)1, buffer, offset, 44);

        // Then
        assertThat(located).isEqualTo(offset + 40);
    }

    @Test
    void shouldLocateThrottleTimeOfVersionsKafka4Removed()
    {
        // Given: versions a 3.x broker still answers, each written by kafka-clients 4 with its default (empty) body
        final Object[][] removed = {
            {ApiKeys.FETCH, 1}, {ApiKeys.FETCH, 2}, {ApiKeys.FETCH, 3},
            {ApiKeys.DESCRIBE_ACLS, 0}, {ApiKeys.CREATE_ACLS, 0}, {ApiKeys.DELETE_ACLS, 0},
            {ApiKeys.DESCRIBE_CONFIGS, 0}, {ApiKeys.ALTER_REPLICA_LOG_DIRS, 0}, {ApiKeys.DESCRIBE_LOG_DIRS, 0},
            {ApiKeys.CREATE_DELEGATION_TOKEN, 0}, {ApiKeys.RENEW_DELEGATION_TOKEN, 0},
            {ApiKeys.EXPIRE_DELEGATION_TOKEN, 0}, {ApiKeys.DESCRIBE_DELEGATION_TOKEN, 0}};
        for (final Object[] apiVersion : removed)
        {
            final ApiKeys api = (ApiKeys)apiVersion[0];
            final short version = (short)(int)(Integer)apiVersion[1];
            final ApiMessage response = withThrottleTime(ApiMessageType.fromApiKey(api.id).newResponse());

            // When / Then
            assertThat(api.messageType.responseSchemas()[version]).as("%s v%d", api, version).isNull();
            assertLocated(api.id, version, response);
        }
    }

    @Test
    void shouldReportNoThrottleTimeWhereThereIsNone()
    {
        // Then
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.PRODUCE, (short)0)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.FETCH, (short)0)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.METADATA, (short)2)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.API_VERSIONS, (short)0)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.SASL_HANDSHAKE, (short)1)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.SASL_AUTHENTICATE, (short)2)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.FETCH, (short)(ApiKeys.FETCH.latestVersion(true) + 1)))
            .isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime((short)32000, (short)0)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime((short)-1, (short)0)).isFalse();
        assertThat(ThrottleTimeLocator.hasThrottleTime(ApiKeyIds.FETCH, (short)-1)).isFalse();
        assertThat(locator.throttleTimeOffset(ApiKeyIds.METADATA, (short)2, new UnsafeBuffer(new byte[0]), 0, 0))
            .isEqualTo(ThrottleTimeLocator.NOT_PRESENT);
    }

    @Test
    void shouldReportNoThrottleTimeInAnApiVersionsResponseEncodedAsV0()
    {
        // Given: KIP-511, a broker answers an ApiVersions version it does not know with a v0 body
        final ApiVersionsResponseData response = new ApiVersionsResponseData()
            .setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        response.apiKeys().add(new ApiVersion().setApiKey((short)18).setMinVersion((short)0).setMaxVersion((short)3));
        final UnsafeBuffer buffer = WireFixtures.serialize(response, (short)0);

        // When
        final int offset = locator.throttleTimeOffset(ApiKeyIds.API_VERSIONS, (short)4, buffer,
            WireFixtures.BODY_OFFSET, WireFixtures.bodyLength(response, (short)0));

        // Then
        assertThat(offset).isEqualTo(ThrottleTimeLocator.NOT_PRESENT);
    }

    @Test
    void shouldRejectEveryTruncationOfAProduceResponseBeforeItsThrottleTime()
    {
        for (final short version : new short[] {3, 8, 9, 10, 13})
        {
            // Given
            final ProduceResponseData response = produceResponse(version);
            final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
            final int fullLength = WireFixtures.bodyLength(response, version);
            final int endOfThrottleTime = locator.throttleTimeOffset(ApiKeyIds.PRODUCE, version, buffer,
                WireFixtures.BODY_OFFSET, fullLength) + 4 - WireFixtures.BODY_OFFSET;

            for (int length = 0; length < endOfThrottleTime; length++)
            {
                final int truncatedLength = length;

                // When / Then
                assertThatThrownBy(() -> locator.throttleTimeOffset(ApiKeyIds.PRODUCE, version, buffer,
                    WireFixtures.BODY_OFFSET, truncatedLength))
                    .as("v%d cut at %d", version, length)
                    .isInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Test
    void shouldRejectABodyTooShortForAThrottleTimeAtAFixedOffset()
    {
        // Given
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);

        // When / Then
        assertThatThrownBy(() -> locator.throttleTimeOffset(ApiKeyIds.FETCH, (short)12, buffer, 4, 3))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=throttle_time_ms, needed=4, remaining=3");
        assertThatThrownBy(() -> locator.throttleTimeOffset(
            ApiKeys.RENEW_DELEGATION_TOKEN.id, (short)1, buffer, 0, 13))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("field runs past the end of the frame: field=throttle_time_ms, needed=14, remaining=13");
    }

    @Test
    void shouldRejectHostileArrayCountInAProduceResponse()
    {
        // Given: a v8 response claiming more topics than bytes
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putInt(0, 1_000, ByteOrder.BIG_ENDIAN);

        // When / Then
        assertThatThrownBy(() -> locator.throttleTimeOffset(ApiKeyIds.PRODUCE, (short)8, buffer, 0, 16))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessageContaining("field=responses");
    }

    @Test
    void shouldLocateWithoutAllocating()
    {
        // Given
        final short version = 11;
        final ProduceResponseData response = produceResponse(version);
        final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
        final int bodyLength = WireFixtures.bodyLength(response, version);
        final int runs = 20_000;

        // When
        final long allocated = WireFixtures.allocatedBytes(runs, () ->
            locator.throttleTimeOffset(ApiKeyIds.PRODUCE, version, buffer, WireFixtures.BODY_OFFSET, bodyLength));

        // Then: well under one byte per walk, so no walk allocates an object
        assertThat(allocated).isLessThan(runs);
    }

    private void assertLocated(final short apiKey, final short version, final ApiMessage response)
    {
        final UnsafeBuffer buffer = WireFixtures.serialize(response, version);
        final int offset = locator.throttleTimeOffset(apiKey, version, buffer, WireFixtures.BODY_OFFSET,
            WireFixtures.bodyLength(response, version));
        assertThat(offset).as("%s v%d", ApiHeaderVersions.apiName(apiKey), version)
            .isGreaterThanOrEqualTo(WireFixtures.BODY_OFFSET);
        assertThat(buffer.getInt(offset, ByteOrder.BIG_ENDIAN)).as("%s v%d", ApiHeaderVersions.apiName(apiKey), version)
            .isEqualTo(THROTTLE_TIME_MS);
    }

    private static boolean hasThrottleTimeField(final Schema schema)
    {
        for (final BoundField field : schema.fields())
        {
            if ("throttle_time_ms".equals(field.def.name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A response with throttle_time_ms set; the apis whose field follows variable-length data get content.
     */
    private static ApiMessage response(final ApiMessageType type, final short version)
    {
        if (type.apiKey() == ApiKeyIds.PRODUCE)
        {
            return produceResponse(version);
        }
        if (type.apiKey() == ApiKeyIds.API_VERSIONS)
        {
            return apiVersionsResponse(version);
        }
        if (type.apiKey() == ApiKeys.CREATE_DELEGATION_TOKEN.id)
        {
            return createDelegationTokenResponse(version);
        }
        if (type.apiKey() == ApiKeys.DESCRIBE_DELEGATION_TOKEN.id)
        {
            return describeDelegationTokenResponse(version);
        }
        return withThrottleTime(type.newResponse());
    }

    private static ApiMessage withThrottleTime(final ApiMessage response)
    {
        try
        {
            response.getClass().getMethod("setThrottleTimeMs", int.class).invoke(response, THROTTLE_TIME_MS);
            return response;
        }
        catch (final ReflectiveOperationException e)
        {
            throw new AssertionError(response.getClass().getSimpleName() + " has no throttle time", e);
        }
    }

    private static ProduceResponseData produceResponse(final short version)
    {
        final ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(THROTTLE_TIME_MS);
        for (int t = 0; t < 3; t++)
        {
            final List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (int p = 0; p <= t + 1; p++)
            {
                final boolean failed = p == 1;
                final PartitionProduceResponse partition = new PartitionProduceResponse()
                    .setIndex(p)
                    .setErrorCode(failed ? Errors.INVALID_RECORD.code() : 0)
                    .setBaseOffset(1000L * p)
                    .setLogAppendTimeMs(1_700_000_000_000L)
                    .setLogStartOffset(17L)
                    .setErrorMessage(failed ? "record \u00e9 rejected" : null)
                    .setRecordErrors(failed ? List.of(
                        new BatchIndexAndErrorMessage().setBatchIndex(3).setBatchIndexErrorMessage("bad key"),
                        new BatchIndexAndErrorMessage().setBatchIndex(4).setBatchIndexErrorMessage(null)) : List.of());
                if (version >= 10)
                {
                    partition.setCurrentLeader(new LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(9));
                }
                if (version >= 9)
                {
                    partition.unknownTaggedFields().add(new RawTaggedField(5, new byte[] {1, 2}));
                }
                partitions.add(partition);
            }
            final TopicProduceResponse topic = new TopicProduceResponse()
                .setName("topic-" + t + "-" + "x".repeat(40 * t))
                .setTopicId(new Uuid(t + 1L, t + 2L))
                .setPartitionResponses(partitions);
            if (version >= 9)
            {
                topic.unknownTaggedFields().add(new RawTaggedField(8, new byte[130]));
            }
            response.responses().add(topic);
        }
        if (version >= 10)
        {
            response.nodeEndpoints().add(new NodeEndpoint().setNodeId(2).setHost("broker-2").setPort(9092));
        }
        return response;
    }

    private static ApiVersionsResponseData apiVersionsResponse(final short version)
    {
        final ApiVersionsResponseData response = new ApiVersionsResponseData().setThrottleTimeMs(THROTTLE_TIME_MS);
        for (final ApiKeys api : ApiKeys.values())
        {
            final ApiVersion entry = new ApiVersion().setApiKey(api.id).setMinVersion((short)0).setMaxVersion((short)3);
            if (version >= 3 && api.id % 7 == 0)
            {
                entry.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {9}));
            }
            response.apiKeys().add(entry);
        }
        if (version >= 3)
        {
            response.supportedFeatures().add(
                new SupportedFeatureKey().setName("metadata.version").setMinVersion((short)1).setMaxVersion((short)20));
            response.setFinalizedFeaturesEpoch(4L);
            response.finalizedFeatures().add(new FinalizedFeatureKey().setName("metadata.version")
                .setMinVersionLevel((short)20).setMaxVersionLevel((short)20));
        }
        return response;
    }

    private static CreateDelegationTokenResponseData createDelegationTokenResponse(final short version)
    {
        final CreateDelegationTokenResponseData response = new CreateDelegationTokenResponseData()
            .setThrottleTimeMs(THROTTLE_TIME_MS)
            .setPrincipalType("User")
            .setPrincipalName("alice")
            .setIssueTimestampMs(1L)
            .setExpiryTimestampMs(2L)
            .setMaxTimestampMs(3L)
            .setTokenId("token-1")
            .setHmac(new byte[20]);
        if (version >= 3)
        {
            response.setTokenRequesterPrincipalType("User").setTokenRequesterPrincipalName("bob");
        }
        return response;
    }

    private static DescribeDelegationTokenResponseData describeDelegationTokenResponse(final short version)
    {
        final DescribeDelegationTokenResponseData response = new DescribeDelegationTokenResponseData()
            .setThrottleTimeMs(THROTTLE_TIME_MS);
        for (int t = 0; t < 2; t++)
        {
            final DescribedDelegationToken token = new DescribedDelegationToken()
                .setPrincipalType("User")
                .setPrincipalName("user-" + t)
                .setIssueTimestamp(1L)
                .setExpiryTimestamp(2L)
                .setMaxTimestamp(3L)
                .setTokenId("token-" + t)
                .setHmac(new byte[32])
                .setRenewers(List.of(
                    new DescribedDelegationTokenRenewer().setPrincipalType("User").setPrincipalName("carol"),
                    new DescribedDelegationTokenRenewer().setPrincipalType("User").setPrincipalName("dave")));
            if (version >= 3)
            {
                token.setTokenRequesterPrincipalType("User").setTokenRequesterPrincipalName("erin");
            }
            response.tokens().add(token);
        }
        return response;
    }
}
