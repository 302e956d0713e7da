package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import org.agrona.MutableDirectBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.Errors;

import java.util.Arrays;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Which api versions the proxy lets clients use: the policy applied to every ApiVersions response.
 *
 * <ul>
 *   <li>Apis the proxy reads or rewrites are advertised in the intersection of the broker's range and the range
 *       the proxy can decode, and dropped when they do not overlap. The proxy's Produce range starts at 0, so the
 *       broker's minimum is kept (raising it silently turns off compression in librdkafka clients).</li>
 *   <li>DescribeQuorum is capped at v1: v2 answers with the controllers' listener addresses, which the proxy
 *       does not rewrite and clients could not reach anyway.</li>
 *   <li>Apis the proxy forwards as opaque bytes are advertised as the broker advertises them.</li>
 *   <li>Api keys this build does not know are dropped: the proxy cannot vouch that they carry no broker
 *       address, and a client never uses an api the broker did not advertise.</li>
 * </ul>
 *
 * Immutable; safe to read from any thread.
 */
public final class ProxyApiVersions
{
    /**
     * Returned by {@link #advertisedRange} for an api that must not be advertised.
     */
    public static final int NOT_ADVERTISED = -1;

    private static final short NOT_DECODED = -1;
    private static final short[] DECODED_MIN = new short[ApiHeaderVersions.apiKeyTableSize()];
    private static final short[] DECODED_MAX = new short[ApiHeaderVersions.apiKeyTableSize()];
    private static final short UNSUPPORTED_VERSION = Errors.UNSUPPORTED_VERSION.code();
    private static final int ENTRY_LENGTH = 3 * SIZE_OF_SHORT;
    private static final short[] PROXY_ADVERTISED_KEYS;

    static
    {
        Arrays.fill(DECODED_MIN, NOT_DECODED);
        Arrays.fill(DECODED_MAX, NOT_DECODED);
        decoded(ApiKeyIds.PRODUCE, 0, 13);
        decoded(ApiKeyIds.FETCH, 0, 18);
        decoded(ApiKeyIds.METADATA, 0, 13);
        decoded(ApiKeyIds.FIND_COORDINATOR, 0, 6);
        decoded(ApiKeyIds.API_VERSIONS, 0, 5);
        decoded(ApiKeyIds.DESCRIBE_QUORUM, 0, 1);
        decoded(ApiKeyIds.DESCRIBE_CLUSTER, 0, 2);
        decoded(ApiKeyIds.SHARE_FETCH, 1, 2);
        decoded(ApiKeyIds.SHARE_ACKNOWLEDGE, 1, 2);

        final short[] advertisedKeys = new short[ApiHeaderVersions.apiKeyTableSize()];
        int advertisedCount = 0;
        for (short apiKey = 0; apiKey < advertisedKeys.length; apiKey++)
        {
            if (ApiHeaderVersions.isKnownApiKey(apiKey) &&
                ApiMessageType.fromApiKey(apiKey).listeners().contains(ApiMessageType.ListenerType.BROKER) &&
                ownRange(apiKey) != NOT_ADVERTISED)
            {
                advertisedKeys[advertisedCount++] = apiKey;
            }
        }
        PROXY_ADVERTISED_KEYS = Arrays.copyOf(advertisedKeys, advertisedCount);
    }

    private ProxyApiVersions()
    {
    }

    private static void decoded(final short apiKey, final int minVersion, final int maxVersion)
    {
        DECODED_MIN[apiKey] = (short)minVersion;
        DECODED_MAX[apiKey] = (short)maxVersion;
    }

    /**
     * Whether the proxy reads or rewrites this api, and so limits its versions.
     *
     * @param apiKey the api key.
     * @return true for the apis with a decoded range.
     */
    public static boolean isDecoded(final short apiKey)
    {
        return apiKey >= 0 && apiKey < DECODED_MIN.length && DECODED_MIN[apiKey] != NOT_DECODED;
    }

    /**
     * The highest version of a decoded api the proxy understands.
     *
     * @param apiKey a decoded api key.
     * @return the highest version, or -1 if the api is not decoded.
     */
    public static short highestDecodedVersion(final short apiKey)
    {
        return isDecoded(apiKey) ? DECODED_MAX[apiKey] : NOT_DECODED;
    }

    /**
     * The version range clients are told for an api, given the broker's.
     *
     * @param apiKey     the api key.
     * @param brokerMin  the broker's lowest version.
     * @param brokerMax  the broker's highest version.
     * @return {@code min << 16 | max}, or {@link #NOT_ADVERTISED}.
     */
    public static int advertisedRange(final short apiKey, final short brokerMin, final short brokerMax)
    {
        if (!ApiHeaderVersions.isKnownApiKey(apiKey))
        {
            return NOT_ADVERTISED;
        }
        short min = brokerMin;
        short max = brokerMax;
        if (isDecoded(apiKey))
        {
            min = (short)Math.max(min, DECODED_MIN[apiKey]);
            max = (short)Math.min(max, DECODED_MAX[apiKey]);
        }
        return min > max || min < 0 ? NOT_ADVERTISED : packRange(min, max);
    }

    /**
     * The lowest version of a packed range.
     *
     * @param range a value returned by {@link #advertisedRange}.
     * @return the lowest version.
     */
    public static short minVersion(final int range)
    {
        return (short)(range >>> 16);
    }

    /**
     * The highest version of a packed range.
     *
     * @param range a value returned by {@link #advertisedRange}.
     * @return the highest version.
     */
    public static short maxVersion(final int range)
    {
        return (short)range;
    }

    /**
     * Length of the frame written by {@link #writeUnsupportedVersionResponse}.
     *
     * @return the frame length in bytes, size field included.
     */
    public static int unsupportedVersionResponseLength()
    {
        return FrameDescriptor.MESSAGE_OFFSET + ResponseHeaderFlyweight.MIN_LENGTH + SIZE_OF_SHORT + SIZE_OF_INT +
            PROXY_ADVERTISED_KEYS.length * ENTRY_LENGTH;
    }

    /**
     * Writes the answer to an ApiVersions request newer than the proxy knows, as a broker does (KIP-511): a v0
     * response, with header v0, carrying UNSUPPORTED_VERSION and the versions the proxy supports, so that the
     * client retries with a version both understand.
     *
     * @param buffer        where the frame goes; needs {@link #unsupportedVersionResponseLength()} bytes.
     * @param offset        the offset of the frame's size field.
     * @param correlationId the correlation id of the request.
     * @return the number of bytes written.
     */
    public static int writeUnsupportedVersionResponse(
        final MutableDirectBuffer buffer, final int offset, final int correlationId)
    {
        final int frameLength = unsupportedVersionResponseLength();
        final KafkaWireWriter writer = new KafkaWireWriter().wrap(buffer, offset);
        writer.writeInt32(frameLength - FrameDescriptor.MESSAGE_OFFSET)
            .writeInt32(correlationId)
            .writeInt16(UNSUPPORTED_VERSION)
            .writeArrayLength(false, PROXY_ADVERTISED_KEYS.length);
        for (final short apiKey : PROXY_ADVERTISED_KEYS)
        {
            final int range = ownRange(apiKey);
            writer.writeInt16(apiKey).writeInt16(minVersion(range)).writeInt16(maxVersion(range));
        }
        return writer.position() - offset;
    }

    private static int ownRange(final short apiKey)
    {
        return advertisedRange(apiKey, ApiHeaderVersions.lowestKnownVersion(apiKey),
            ApiHeaderVersions.highestKnownVersion(apiKey));
    }

    private static int packRange(final short min, final short max)
    {
        return (min << 16) | (max & 0xFFFF);
    }

    /**
     * Whether an ApiVersions response reports that the broker did not know the request's version; such a response
     * is encoded as v0 whatever version was asked for.
     *
     * @param errorCode the response's error_code.
     * @return true for UNSUPPORTED_VERSION.
     */
    static boolean isUnsupportedVersion(final short errorCode)
    {
        return errorCode == UNSUPPORTED_VERSION;
    }
}
