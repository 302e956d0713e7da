package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Applies {@link ProxyApiVersions} to an ApiVersions response by replacing its api_keys array.
 *
 * <pre>
 *  error_code int16
 *  api_keys [api_key int16 | min_version int16 | max_version int16 | tagged fields (v3+)]
 *  [throttle_time_ms int32 (v1+)] [tagged fields: supported and finalized features (v3+)]   (kept)
 * </pre>
 *
 * A response carrying UNSUPPORTED_VERSION is encoded as v0 whatever the request's version (KIP-511), and is
 * read as such. Not thread safe; one instance per thread.
 */
final class ApiVersionsResponseRewriter
{
    private static final short FIRST_FLEXIBLE_VERSION = 3;

    private final KafkaWireReader reader = new KafkaWireReader();

    /**
     * Rewrites one response body.
     *
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the body.
     * @param bodyLength the body length.
     * @param apiVersion the request version.
     * @param splice     receives the replacement api_keys array.
     * @return {@link RewriteOutcome#SPLICED}.
     * @throws MalformedFrameException if the array runs past the body.
     */
    int rewrite(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final short apiVersion,
        final ResponseSplice splice)
    {
        reader.wrap(buffer, bodyOffset, bodyLength);
        final short errorCode = reader.readInt16("error_code");
        final short encodedVersion = ProxyApiVersions.isUnsupportedVersion(errorCode) ? 0 : apiVersion;
        final boolean flexible = encodedVersion >= FIRST_FLEXIBLE_VERSION;

        final int arrayOffset = reader.position();
        final int brokerCount = reader.readArrayLength(flexible, "api_keys");
        final int entriesOffset = reader.position();
        int advertisedCount = 0;
        for (int i = 0; i < brokerCount; i++)
        {
            if (readEntryRange(flexible) != ProxyApiVersions.NOT_ADVERTISED)
            {
                advertisedCount++;
            }
        }
        final int arrayEnd = reader.position();

        final KafkaWireWriter writer = splice.begin(arrayOffset);
        writer.writeArrayLength(flexible, Math.max(advertisedCount, 0));
        reader.wrap(buffer, entriesOffset, arrayEnd - entriesOffset);
        for (int i = 0; i < brokerCount; i++)
        {
            final int entryOffset = reader.position();
            final int range = readEntryRange(flexible);
            if (range != ProxyApiVersions.NOT_ADVERTISED)
            {
                writer.writeInt16(buffer.getShort(entryOffset, BIG_ENDIAN))
                    .writeInt16(ProxyApiVersions.minVersion(range))
                    .writeInt16(ProxyApiVersions.maxVersion(range));
                final int tagsOffset = entryOffset + 3 * SIZE_OF_SHORT;
                writer.writeBytes(buffer, tagsOffset, reader.position() - tagsOffset);
            }
        }
        splice.end(arrayEnd);
        return RewriteOutcome.SPLICED;
    }

    private int readEntryRange(final boolean flexible)
    {
        final short apiKey = reader.readInt16("api_key");
        final short minVersion = reader.readInt16("min_version");
        final short maxVersion = reader.readInt16("max_version");
        reader.skipTaggedFields(flexible, "api_version");
        return ProxyApiVersions.advertisedRange(apiKey, minVersion, maxVersion);
    }
}
