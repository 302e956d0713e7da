package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Rewrites the top-level tagged fields of a streamed Fetch response (v16+) into exactly as many bytes as they had:
 * the response's size field went to the client before they arrived (see {@link FetchResponseStreamWalk}).
 *
 * <pre>
 *  as sent:          count | {0: node_endpoints (broker addresses)} | other fields
 *  shorter rewrite:  count+1 | {0: node_endpoints (proxy addresses)} | other fields | {127: zero padding}
 *  longer rewrite, or a node not yet listened for:
 *                    1 | {127: zero padding of the whole length}
 * </pre>
 *
 * Clients keep unknown tagged fields without reading them, so the padding field (tag 127, unknown to every Fetch
 * version; tags stay ascending) only fills space. A padding field of any length from 2 bytes fits: where the shortest
 * encoding of its size leaves a byte over (a field of 130 or 16387 bytes), the size is encoded in one byte more than it
 * needs. A rewrite shorter by fewer bytes than a padding field takes has its count so encoded instead, over the bytes
 * left. Readers accept such varints (Kafka's {@code ByteUtils.readUnsignedVarint} reads up to 5 bytes whatever the
 * value; so do librdkafka's {@code rd_uvarint_dec} and Go's {@code binary.Uvarint}), so no valid response is refused
 * and no endpoints are dropped for a length alone. When the rewritten endpoints do not fit, or name a node whose
 * proxy listener is not bound yet, they are dropped whole: the client learns the new leader from Metadata, as it
 * did before KIP-951 ({@link #ENDPOINTS_DROPPED}). The endpoints themselves are rewritten by the same code as a
 * whole Fetch response's. Rare (only after a leader change): the fields are copied behind a stand-in of an empty
 * body's head. One instance per thread; its buffers grow to the largest fields seen.
 */
public final class FetchTaggedFieldsRewriter
{
    /** No endpoints, or nothing to change: send the fields as they came. */
    public static final int UNCHANGED = 0;
    /** The endpoints were rewritten and fit: send {@link #output()}. */
    public static final int REWRITTEN = 1;
    /** The endpoints were replaced by padding: send {@link #output()}. */
    public static final int ENDPOINTS_DROPPED = 2;
    /**
     * The endpoints name a node that cannot be given a proxy address at all; replaced by padding as for
     * {@link #ENDPOINTS_DROPPED}: send {@link #output()}, and say so, as this is a misconfiguration.
     */
    public static final int ENDPOINTS_UNAVAILABLE = 3;

    /** The tag of the padding field. */
    static final int PADDING_TAG = 127;

    private static final int MAX_VARINT_BYTES = 5;
    // Tag 127 and a size of 0: the shortest padding field.
    private static final int MIN_PADDING_FIELD_LENGTH = 2;
    // throttle_time_ms | error_code | session_id | responses (compact, empty): the body around the fields.
    private static final int STAND_IN_HEAD_LENGTH = SIZE_OF_INT + SIZE_OF_SHORT + SIZE_OF_INT + 1;
    private static final byte EMPTY_COMPACT_ARRAY = 1;

    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private final KafkaWireReader reader = new KafkaWireReader();
    private final KafkaWireWriter writer = new KafkaWireWriter();
    private final ExpandableDirectByteBuffer standIn = new ExpandableDirectByteBuffer(64);
    private final ExpandableDirectByteBuffer output = new ExpandableDirectByteBuffer(64);

    /**
     * Rewrites the tagged fields.
     *
     * @param apiVersion the Fetch version, 16 or later.
     * @param fields     the top-level tagged fields, count first, to the end of the body.
     * @param offset     where they start.
     * @param length     their length.
     * @param mapper     maps broker addresses to the proxy's.
     * @return {@link #UNCHANGED}, {@link #REWRITTEN}, {@link #ENDPOINTS_DROPPED} or {@link #ENDPOINTS_UNAVAILABLE}.
     * @throws MalformedFrameException if the fields do not parse or do not end where the body does.
     */
    public int rewrite(
        final short apiVersion, final DirectBuffer fields, final int offset, final int length, final BrokerEndpointMapper mapper)
    {
        standIn.setMemory(0, STAND_IN_HEAD_LENGTH - 1, (byte)0);
        standIn.putByte(STAND_IN_HEAD_LENGTH - 1, EMPTY_COMPACT_ARRAY);
        standIn.putBytes(STAND_IN_HEAD_LENGTH, fields, offset, length);
        final int bodyLength = STAND_IN_HEAD_LENGTH + length;
        endpoints.wrap(standIn, 0, bodyLength, mapper, splice);
        final int outcome = NodeEndpointsResponseRewriter.rewrite(ApiKeyIds.FETCH, endpoints, apiVersion);
        if (outcome == RewriteOutcome.UNCHANGED)
        {
            return UNCHANGED;
        }
        if (splice.replaceToOffset() != bodyLength)
        {
            throw new MalformedFrameException("bytes after the Fetch response's tagged fields: length=" + length +
                ", tagged fields end=" + (splice.replaceToOffset() - STAND_IN_HEAD_LENGTH));
        }
        if (outcome == RewriteOutcome.SPLICED && fitRewritten(length))
        {
            return REWRITTEN;
        }
        writePaddingOnly(length);
        return outcome == RewriteOutcome.ENDPOINTS_UNAVAILABLE ? ENDPOINTS_UNAVAILABLE : ENDPOINTS_DROPPED;
    }

    /**
     * The rewritten fields, as long as the fields given to {@link #rewrite}.
     *
     * @return the buffer, from offset 0; valid until the next rewrite on this thread.
     */
    public DirectBuffer output()
    {
        return output;
    }

    private boolean fitRewritten(final int length)
    {
        final DirectBuffer rewritten = splice.replacement();
        final int rewrittenLength = splice.replacementLength();
        if (rewrittenLength == length)
        {
            output.putBytes(0, rewritten, 0, length);
            return true;
        }
        if (rewrittenLength > length)
        {
            return false;
        }
        reader.wrap(rewritten, 0, rewrittenLength);
        final int count = reader.readUnsignedVarint("tagged_fields");
        final int fieldsOffset = reader.position();
        boolean paddable = true;
        for (int i = 0; i < count; i++)
        {
            // Tags must stay ascending and the padding's must be unknown: no room for it after this one.
            paddable &= reader.readUnsignedVarint("tag") < PADDING_TAG;
            reader.skip(reader.readUnsignedVarint("tag_size"), "tagged_field");
        }
        final int fieldsLength = rewrittenLength - fieldsOffset;
        final int paddingFieldLength = length - KafkaWireWriter.sizeOfUnsignedVarint(count + 1) - fieldsLength;
        if (paddable && paddingFieldLength >= MIN_PADDING_FIELD_LENGTH)
        {
            writer.wrap(output, 0)
                .writeUnsignedVarint(count + 1)
                .writeBytes(rewritten, fieldsOffset, fieldsLength);
            writePaddingField(paddingFieldLength);
            return true;
        }
        final int countBytes = length - fieldsLength;
        if (countBytes > MAX_VARINT_BYTES)
        {
            return false;
        }
        // Too few bytes over for a padding field (one, usually: a host a character shorter): the count takes them.
        final int fieldsStart = putVarint(0, count, countBytes);
        output.putBytes(fieldsStart, rewritten, fieldsOffset, fieldsLength);
        return true;
    }

    private void writePaddingOnly(final int length)
    {
        if (length - 1 < MIN_PADDING_FIELD_LENGTH)
        {
            // Not reached by fields that carried endpoints, which are longer: no field at all, the count over the length.
            putVarint(0, 0, length);
            return;
        }
        writer.wrap(output, 0).writeUnsignedVarint(1);
        writePaddingField(length - 1);
    }

    /** Writes a padding field of {@code fieldLength} bytes, tag and size included, at the writer's position. */
    private void writePaddingField(final int fieldLength)
    {
        final int valueAndSize = fieldLength - KafkaWireWriter.sizeOfUnsignedVarint(PADDING_TAG);
        // The fewest bytes the size can take: where the shortest encoding would leave a byte over, one more.
        int sizeBytes = 1;
        while (KafkaWireWriter.sizeOfUnsignedVarint(valueAndSize - sizeBytes) > sizeBytes)
        {
            sizeBytes++;
        }
        final int paddingLength = valueAndSize - sizeBytes;
        writer.writeUnsignedVarint(PADDING_TAG);
        final int start = putVarint(writer.position(), paddingLength, sizeBytes);
        output.setMemory(start, paddingLength, (byte)0);
        writer.wrap(output, start + paddingLength);
    }

    /**
     * Writes an unsigned varint in exactly {@code bytes} bytes, more than its shortest encoding if need be (continuation
     * bits set over zero groups).
     *
     * @return the offset after it.
     */
    private int putVarint(final int offset, final int value, final int bytes)
    {
        int remaining = value;
        for (int i = 0; i < bytes - 1; i++)
        {
            output.putByte(offset + i, (byte)((remaining & 0x7F) | 0x80));
            remaining >>>= 7;
        }
        output.putByte(offset + bytes - 1, (byte)remaining);
        return offset + bytes;
    }
}
