package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Type;

import java.util.Arrays;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Finds the {@code throttle_time_ms} field of a response body, so that a quota can raise it in place.
 *
 * <p>Where the field sits depends on the api and version:
 * <pre>
 *  most apis:                     throttle_time_ms int32 | ...                      (at the body's start)
 *  OffsetDelete:                  error_code int16 | throttle_time_ms | ...
 *  Renew/ExpireDelegationToken:   error_code int16 | expiry_timestamp_ms int64 | throttle_time_ms
 *  Produce (v1+):                 responses [...] | throttle_time_ms | tagged fields (v9+)
 *  ApiVersions (v1+):             error_code int16 | api_keys [...] | throttle_time_ms | tagged fields (v3+)
 *  Create/DescribeDelegationToken: principals, timestamps, token id, hmac (and tokens [...]) | throttle_time_ms
 * </pre>
 *
 * A table built once at class load from kafka-clients' response schemas gives, per api and version, either a
 * fixed offset (every field ahead of {@code throttle_time_ms} has a fixed size) or which of the four walks above
 * finds it. The versions Kafka 4 removed (KIP-896), which kafka-clients no longer describes but 3.x brokers still
 * answer, are added by hand from kafka-clients 3.9's schemas. Versions newer than this build knows are reported
 * as {@link #NOT_PRESENT}: the caller then throttles by pausing reads alone.
 *
 * <p>The table is immutable and shared by every instance. An instance owns the reader its walks use, so it is
 * confined to one thread: keep one per event loop, next to the other flyweights that loop re-wraps. A walk
 * allocates nothing.
 */
public final class ThrottleTimeLocator
{
    /** Returned when the response has no throttle_time_ms field. */
    public static final int NOT_PRESENT = -1;
    /** Returned by {@link #fixedBodyOffset} when the field's place depends on the fields before it. */
    public static final int NOT_FIXED = -2;

    private static final String THROTTLE_TIME_MS = "throttle_time_ms";
    private static final int PRODUCE_WALK = -2;
    private static final int API_VERSIONS_WALK = -3;
    private static final int CREATE_DELEGATION_TOKEN_WALK = -4;
    private static final int DESCRIBE_DELEGATION_TOKEN_WALK = -5;
    private static final int VARIABLE_PREFIX = -1;
    private static final short FIRST_PRODUCE_LOG_APPEND_TIME_VERSION = 2;
    private static final short FIRST_PRODUCE_LOG_START_OFFSET_VERSION = 5;
    private static final short FIRST_PRODUCE_RECORD_ERRORS_VERSION = 8;
    private static final short FIRST_PRODUCE_TOPIC_ID_VERSION = 13;
    private static final short FIRST_TOKEN_REQUESTER_VERSION = 3;
    private static final int PRODUCE_PARTITION_FIXED_LENGTH = SIZE_OF_INT + SIZE_OF_SHORT + SIZE_OF_LONG;
    private static final int API_VERSION_ENTRY_LENGTH = 3 * SIZE_OF_SHORT;
    private static final int TOKEN_TIMESTAMPS_LENGTH = 3 * SIZE_OF_LONG;
    private static final int[][] LOCATIONS = new int[ApiHeaderVersions.apiKeyTableSize()][];

    static
    {
        for (final ApiMessageType type : ApiMessageType.values())
        {
            final Schema[] schemas = type.responseSchemas();
            final int[] row = new int[schemas.length];
            Arrays.fill(row, NOT_PRESENT);
            for (int version = 0; version < schemas.length; version++)
            {
                if (schemas[version] != null)
                {
                    row[version] = locationIn(type.apiKey(), schemas[version]);
                }
            }
            LOCATIONS[type.apiKey()] = row;
        }
        removedVersions(ApiKeys.PRODUCE, 1, 2, PRODUCE_WALK);
        removedVersions(ApiKeys.FETCH, 1, 3, 0);
        removedVersions(ApiKeys.DESCRIBE_ACLS, 0, 0, 0);
        removedVersions(ApiKeys.CREATE_ACLS, 0, 0, 0);
        removedVersions(ApiKeys.DELETE_ACLS, 0, 0, 0);
        removedVersions(ApiKeys.DESCRIBE_CONFIGS, 0, 0, 0);
        removedVersions(ApiKeys.ALTER_REPLICA_LOG_DIRS, 0, 0, 0);
        removedVersions(ApiKeys.DESCRIBE_LOG_DIRS, 0, 0, 0);
        removedVersions(ApiKeys.CREATE_DELEGATION_TOKEN, 0, 0, CREATE_DELEGATION_TOKEN_WALK);
        removedVersions(ApiKeys.RENEW_DELEGATION_TOKEN, 0, 0, SIZE_OF_SHORT + SIZE_OF_LONG);
        removedVersions(ApiKeys.EXPIRE_DELEGATION_TOKEN, 0, 0, SIZE_OF_SHORT + SIZE_OF_LONG);
        removedVersions(ApiKeys.DESCRIBE_DELEGATION_TOKEN, 0, 0, DESCRIBE_DELEGATION_TOKEN_WALK);
    }

    private final KafkaWireReader reader = new KafkaWireReader();

    /**
     * Whether responses of an api version carry throttle_time_ms where this class can find it.
     *
     * @param apiKey     the api key.
     * @param apiVersion the version of the request the response answers.
     * @return true if {@link #throttleTimeOffset} can locate the field; an ApiVersions response reporting
     *         UNSUPPORTED_VERSION is still encoded as v0 and has none.
     */
    public static boolean hasThrottleTime(final short apiKey, final short apiVersion)
    {
        return location(apiKey, apiVersion) != NOT_PRESENT;
    }

    /**
     * Finds the throttle_time_ms field of a response body.
     *
     * @param apiKey     the api key.
     * @param apiVersion the version of the request the response answers.
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the body, just past the response header.
     * @param bodyLength the body length.
     * @return the absolute offset of the big-endian int32 in {@code buffer}, or {@link #NOT_PRESENT}.
     * @throws MalformedFrameException if the body ends before the field, or a walk meets a hostile length.
     */
    public int throttleTimeOffset(
        final short apiKey, final short apiVersion, final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        final int location = location(apiKey, apiVersion);
        if (location >= 0)
        {
            if (location > bodyLength - SIZE_OF_INT)
            {
                throw new MalformedFrameException("field runs past the end of the frame: field=" + THROTTLE_TIME_MS +
                    ", needed=" + (location + SIZE_OF_INT) + ", remaining=" + bodyLength);
            }
            return bodyOffset + location;
        }
        if (location == NOT_PRESENT)
        {
            return NOT_PRESENT;
        }
        reader.wrap(buffer, bodyOffset, bodyLength);
        final boolean flexible = ApiHeaderVersions.isFlexible(apiKey, apiVersion);
        switch (location)
        {
            case PRODUCE_WALK:
                skipProduceResponses(reader, apiVersion, flexible);
                break;
            case API_VERSIONS_WALK:
                if (ProxyApiVersions.isUnsupportedVersion(reader.readInt16("error_code")))
                {
                    // KIP-511: the broker answers a version it does not know with a v0 body, which has no throttle.
                    return NOT_PRESENT;
                }
                skipApiVersionEntries(reader, flexible);
                break;
            case CREATE_DELEGATION_TOKEN_WALK:
                reader.skip(SIZE_OF_SHORT, "error_code");
                skipToken(reader, apiVersion, flexible);
                break;
            case DESCRIBE_DELEGATION_TOKEN_WALK:
                reader.skip(SIZE_OF_SHORT, "error_code");
                skipDescribedTokens(reader, apiVersion, flexible);
                break;
            default:
                throw new IllegalStateException("no walk for location: location=" + location);
        }
        final int offset = reader.position();
        reader.skip(SIZE_OF_INT, THROTTLE_TIME_MS);
        return offset;
    }

    /**
     * Where throttle_time_ms sits in a response body when that does not depend on the body: what a response's head
     * alone can tell (a streamed response, whose later bytes are not in yet).
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @return the field's offset from the body's start, {@link #NOT_PRESENT}, or {@link #NOT_FIXED} when only a walk
     *         of the body finds it.
     */
    public static int fixedBodyOffset(final short apiKey, final short apiVersion)
    {
        final int location = location(apiKey, apiVersion);
        return location >= 0 || location == NOT_PRESENT ? location : NOT_FIXED;
    }

    private static int location(final short apiKey, final short apiVersion)
    {
        if (apiKey < 0 || apiKey >= LOCATIONS.length || LOCATIONS[apiKey] == null)
        {
            return NOT_PRESENT;
        }
        final int[] row = LOCATIONS[apiKey];
        return apiVersion >= 0 && apiVersion < row.length ? row[apiVersion] : NOT_PRESENT;
    }

    private static int locationIn(final short apiKey, final Schema schema)
    {
        int offset = 0;
        for (final BoundField field : schema.fields())
        {
            if (THROTTLE_TIME_MS.equals(field.def.name))
            {
                return offset != VARIABLE_PREFIX ? offset : walkFor(apiKey);
            }
            final int size = fixedSize(field.def.type);
            offset = offset == VARIABLE_PREFIX || size == VARIABLE_PREFIX ? VARIABLE_PREFIX : offset + size;
        }
        return NOT_PRESENT;
    }

    private static int walkFor(final short apiKey)
    {
        if (apiKey == ApiKeys.PRODUCE.id)
        {
            return PRODUCE_WALK;
        }
        if (apiKey == ApiKeys.API_VERSIONS.id)
        {
            return API_VERSIONS_WALK;
        }
        if (apiKey == ApiKeys.CREATE_DELEGATION_TOKEN.id)
        {
            return CREATE_DELEGATION_TOKEN_WALK;
        }
        if (apiKey == ApiKeys.DESCRIBE_DELEGATION_TOKEN.id)
        {
            return DESCRIBE_DELEGATION_TOKEN_WALK;
        }
        return NOT_PRESENT;
    }

    private static int fixedSize(final Type type)
    {
        if (type == Type.BOOLEAN || type == Type.INT8)
        {
            return 1;
        }
        if (type == Type.INT16 || type == Type.UINT16)
        {
            return SIZE_OF_SHORT;
        }
        if (type == Type.INT32 || type == Type.UNSIGNED_INT32)
        {
            return SIZE_OF_INT;
        }
        if (type == Type.INT64 || type == Type.FLOAT64)
        {
            return SIZE_OF_LONG;
        }
        if (type == Type.UUID)
        {
            return 2 * SIZE_OF_LONG;
        }
        return VARIABLE_PREFIX;
    }

    private static void removedVersions(final ApiKeys api, final int fromVersion, final int toVersion, final int location)
    {
        final int[] row = LOCATIONS[api.id];
        for (int version = fromVersion; version <= toVersion; version++)
        {
            if (version < row.length && row[version] == NOT_PRESENT)
            {
                row[version] = location;
            }
        }
    }

    private static void skipProduceResponses(final KafkaWireReader reader, final short apiVersion, final boolean flexible)
    {
        final int topicCount = reader.readNonNullableArrayLength(flexible, "responses");
        for (int t = 0; t < topicCount; t++)
        {
            if (apiVersion >= FIRST_PRODUCE_TOPIC_ID_VERSION)
            {
                reader.skipUuid("topic_id");
            }
            else
            {
                reader.skip(reader.readNonNullableStringLength(flexible, "name"), "name");
            }
            final int partitionCount = reader.readNonNullableArrayLength(flexible, "partition_responses");
            for (int p = 0; p < partitionCount; p++)
            {
                reader.skip(PRODUCE_PARTITION_FIXED_LENGTH, "partition_responses");
                if (apiVersion >= FIRST_PRODUCE_LOG_APPEND_TIME_VERSION)
                {
                    reader.skip(SIZE_OF_LONG, "log_append_time_ms");
                }
                if (apiVersion >= FIRST_PRODUCE_LOG_START_OFFSET_VERSION)
                {
                    reader.skip(SIZE_OF_LONG, "log_start_offset");
                }
                if (apiVersion >= FIRST_PRODUCE_RECORD_ERRORS_VERSION)
                {
                    final int errorCount = reader.readNonNullableArrayLength(flexible, "record_errors");
                    for (int e = 0; e < errorCount; e++)
                    {
                        reader.skip(SIZE_OF_INT, "batch_index");
                        reader.skipString(flexible, "batch_index_error_message");
                        reader.skipTaggedFields(flexible, "record_errors");
                    }
                    reader.skipString(flexible, "error_message");
                }
                reader.skipTaggedFields(flexible, "partition_responses");
            }
            reader.skipTaggedFields(flexible, "responses");
        }
    }

    private static void skipApiVersionEntries(final KafkaWireReader reader, final boolean flexible)
    {
        final int count = reader.readNonNullableArrayLength(flexible, "api_keys");
        if (!flexible)
        {
            reader.skipFixedSizeElements(count, API_VERSION_ENTRY_LENGTH, "api_keys");
            return;
        }
        for (int i = 0; i < count; i++)
        {
            reader.skip(API_VERSION_ENTRY_LENGTH, "api_keys");
            reader.skipTaggedFields("api_keys");
        }
    }

    private static void skipDescribedTokens(final KafkaWireReader reader, final short apiVersion, final boolean flexible)
    {
        final int tokenCount = reader.readNonNullableArrayLength(flexible, "tokens");
        for (int t = 0; t < tokenCount; t++)
        {
            skipToken(reader, apiVersion, flexible);
            final int renewerCount = reader.readNonNullableArrayLength(flexible, "renewers");
            for (int r = 0; r < renewerCount; r++)
            {
                reader.skipString(flexible, "principal_type");
                reader.skipString(flexible, "principal_name");
                reader.skipTaggedFields(flexible, "renewers");
            }
            reader.skipTaggedFields(flexible, "tokens");
        }
    }

    private static void skipToken(final KafkaWireReader reader, final short apiVersion, final boolean flexible)
    {
        reader.skipString(flexible, "principal_type");
        reader.skipString(flexible, "principal_name");
        if (apiVersion >= FIRST_TOKEN_REQUESTER_VERSION)
        {
            reader.skipString(flexible, "token_requester_principal_type");
            reader.skipString(flexible, "token_requester_principal_name");
        }
        reader.skip(TOKEN_TIMESTAMPS_LENGTH, "issue_timestamp_ms");
        reader.skipString(flexible, "token_id");
        reader.skipBytes(flexible, "hmac");
    }
}
