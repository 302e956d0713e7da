package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Rewrites the broker endpoints of a response: the one loop behind all seven address-bearing responses.
 *
 * <p>A response rewriter {@link #wrap}s the body, skips with {@link #reader()} to where its endpoints sit, and
 * hands over to one of the three shapes the endpoints come in:
 * <pre>
 *  {@link #rewriteArray}:       [count | entry...]                       Metadata, DescribeCluster,
 *                                                                       FindCoordinator v4+, ShareFetch, ShareAcknowledge
 *  {@link #rewriteSingle}:      node_id | host | port                    FindCoordinator v0-v3
 *  {@link #rewriteTaggedArray}: tagged fields {0: [count | entry...]}    Produce v10+, Fetch v16+
 *
 *  entry: [prefix] node_id int32 | host string | port int32 [suffix]    (see {@link EndpointEntryLayout})
 * </pre>
 *
 * Each endpoint is written back with the advertised host and the port the mapper gives, or unchanged when it
 * names no node (node id below zero, as in a FindCoordinator error); prefixes and suffixes are copied byte for
 * byte. The rewritten section goes into the {@link ResponseSplice}, so the bytes around it are never copied. These
 * responses are rare, so each host is handed to the mapper as a {@code String}. Not thread safe; one instance per
 * thread, its scratch buffer grown to the largest tagged value seen.
 */
final class EndpointArrayRewriter
{
    private static final int NODE_ENDPOINTS_TAG = 0;
    private static final int INITIAL_TAGGED_VALUE_CAPACITY = 256;

    private final KafkaWireReader reader = new KafkaWireReader();
    private final ExpandableDirectByteBuffer taggedValue = new ExpandableDirectByteBuffer(INITIAL_TAGGED_VALUE_CAPACITY);
    private final KafkaWireWriter taggedValueWriter = new KafkaWireWriter();
    private BrokerEndpointMapper mapper;
    private ResponseSplice splice;
    private int outcome;

    /**
     * Starts a response.
     *
     * @param buffer     the buffer holding the response.
     * @param bodyOffset the offset of the body.
     * @param bodyLength the body length.
     * @param mapper     the address mapper.
     * @param splice     receives the rewritten endpoints.
     * @return this rewriter, its reader at the start of the body.
     */
    EndpointArrayRewriter wrap(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final BrokerEndpointMapper mapper,
        final ResponseSplice splice)
    {
        reader.wrap(buffer, bodyOffset, bodyLength);
        this.mapper = mapper;
        this.splice = splice;
        outcome = RewriteOutcome.UNCHANGED;
        return this;
    }

    /**
     * The reader over the wrapped body, for skipping the fields ahead of the endpoints.
     *
     * @return the reader.
     */
    KafkaWireReader reader()
    {
        return reader;
    }

    /**
     * Rewrites the array of endpoint entries at the reader's position.
     *
     * @param layout   the shape of each entry.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     * @return a {@link RewriteOutcome} constant; {@link RewriteOutcome#UNCHANGED} for an empty array.
     * @throws MalformedFrameException if the array runs past the body.
     */
    int rewriteArray(final EndpointEntryLayout layout, final short version, final boolean flexible)
    {
        final KafkaWireWriter writer = splice.begin(reader.position());
        rewriteEntries(layout, version, flexible, writer);
        splice.end(reader.position());
        return outcome;
    }

    /**
     * Rewrites the array of endpoint entries at the reader's position and the cluster id right after it (Metadata
     * v2+): the mapper's {@link BrokerEndpointMapper#clusterId()} in place of the broker's, when it has one.
     *
     * @param layout   the shape of each entry.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the array or the cluster id runs past the body.
     */
    int rewriteArrayThenClusterId(final EndpointEntryLayout layout, final short version, final boolean flexible)
    {
        final KafkaWireWriter writer = splice.begin(reader.position());
        rewriteEntries(layout, version, flexible, writer);
        rewriteClusterId(flexible, writer);
        splice.end(reader.position());
        return outcome;
    }

    /**
     * Rewrites the cluster id at the reader's position, keeps the controller id after it, and rewrites the array of
     * endpoint entries that follows (DescribeCluster).
     *
     * @param layout   the shape of each entry.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if a field runs past the body.
     */
    int rewriteClusterIdThenArray(final EndpointEntryLayout layout, final short version, final boolean flexible)
    {
        final KafkaWireWriter writer = splice.begin(reader.position());
        rewriteClusterId(flexible, writer);
        final int controllerOffset = reader.position();
        reader.skip(Integer.BYTES, "controller_id");
        writer.writeBytes(reader.buffer(), controllerOffset, Integer.BYTES);
        rewriteEntries(layout, version, flexible, writer);
        splice.end(reader.position());
        return outcome;
    }

    private void rewriteClusterId(final boolean flexible, final KafkaWireWriter writer)
    {
        final int idOffset = reader.position();
        final int idLength = reader.readStringLength(flexible, "cluster_id");
        if (idLength > 0)
        {
            reader.skip(idLength, "cluster_id");
        }
        final String clusterId = mapper.clusterId();
        if (clusterId == null)
        {
            writer.writeBytes(reader.buffer(), idOffset, reader.position() - idOffset);
            return;
        }
        writer.writeString(flexible, clusterId);
        outcome = Math.max(outcome, RewriteOutcome.SPLICED);
    }

    /**
     * Rewrites the one endpoint at the reader's position, which no array count precedes.
     *
     * @param flexible whether host is a compact string.
     * @return a {@link RewriteOutcome} constant.
     * @throws MalformedFrameException if the endpoint runs past the body.
     */
    int rewriteSingle(final boolean flexible)
    {
        final KafkaWireWriter writer = splice.begin(reader.position());
        rewriteEndpoint(flexible, writer);
        splice.end(reader.position());
        return outcome;
    }

    /**
     * Rewrites the endpoint array held in tag 0 of the top-level tagged fields at the reader's position (KIP-951).
     *
     * @param layout  the shape of each entry.
     * @param version the response version.
     * @return a {@link RewriteOutcome} constant; {@link RewriteOutcome#UNCHANGED} when tag 0 is absent.
     * @throws MalformedFrameException if a tagged field runs past the body or the array does not fill its tag.
     */
    int rewriteTaggedArray(final EndpointEntryLayout layout, final short version)
    {
        final DirectBuffer buffer = reader.buffer();
        final int sectionOffset = reader.position();
        final int fieldCount = reader.readUnsignedVarint("tagged_fields");
        if (fieldCount == 0)
        {
            return RewriteOutcome.UNCHANGED;
        }
        if (fieldCount < 0 || fieldCount > reader.remaining())
        {
            throw new MalformedFrameException("tagged field count out of range: field=tagged_fields, count=" + fieldCount);
        }
        final KafkaWireWriter writer = splice.begin(sectionOffset);
        writer.writeUnsignedVarint(fieldCount);
        boolean foundEndpoints = false;
        for (int i = 0; i < fieldCount; i++)
        {
            final int fieldOffset = reader.position();
            final int tag = reader.readUnsignedVarint("tag");
            final int size = reader.readUnsignedVarint("tag_size");
            final int valueOffset = reader.position();
            if (size < 0 || size > reader.remaining())
            {
                throw new MalformedFrameException("tagged field runs past the end of the frame: tag=" + tag +
                    ", size=" + size + ", remaining=" + reader.remaining());
            }
            if (tag != NODE_ENDPOINTS_TAG)
            {
                reader.skip(size, "tagged_field");
                writer.writeBytes(buffer, fieldOffset, reader.position() - fieldOffset);
                continue;
            }
            foundEndpoints = true;
            final int valueLength = rewriteTaggedValue(layout, version, valueOffset, size);
            writer.writeUnsignedVarint(tag)
                .writeUnsignedVarint(valueLength)
                .writeBytes(taggedValue, 0, valueLength);
        }
        splice.end(reader.position());
        return foundEndpoints ? outcome : RewriteOutcome.UNCHANGED;
    }

    private int rewriteTaggedValue(
        final EndpointEntryLayout layout, final short version, final int valueOffset, final int size)
    {
        // The value is length-prefixed, so the endpoints are rewritten into a scratch buffer first to learn the
        // new length; the reader is confined to the value so a lying array cannot run into the next field.
        final int limit = reader.limit();
        reader.wrap(reader.buffer(), valueOffset, size);
        rewriteEntries(layout, version, true, taggedValueWriter.wrap(taggedValue, 0));
        if (reader.remaining() != 0)
        {
            throw new MalformedFrameException("node_endpoints shorter than its tagged field: size=" + size +
                ", unread=" + reader.remaining());
        }
        reader.wrap(reader.buffer(), valueOffset + size, limit - valueOffset - size);
        return taggedValueWriter.position();
    }

    private void rewriteEntries(
        final EndpointEntryLayout layout, final short version, final boolean flexible, final KafkaWireWriter writer)
    {
        final DirectBuffer buffer = reader.buffer();
        final int count = reader.readArrayLength(flexible, "endpoints");
        writer.writeArrayLength(flexible, count);
        for (int i = 0; i < count; i++)
        {
            final int entryOffset = reader.position();
            layout.skipPrefix(reader, version, flexible);
            writer.writeBytes(buffer, entryOffset, reader.position() - entryOffset);
            rewriteEndpoint(flexible, writer);
            final int suffixOffset = reader.position();
            layout.skipSuffix(reader, version, flexible);
            writer.writeBytes(buffer, suffixOffset, reader.position() - suffixOffset);
        }
    }

    private void rewriteEndpoint(final boolean flexible, final KafkaWireWriter writer)
    {
        final DirectBuffer buffer = reader.buffer();
        final int endpointOffset = reader.position();
        final int nodeId = reader.readInt32("node_id");
        final int hostLength = reader.readStringLength(flexible, "host");
        final int hostOffset = reader.position();
        if (hostLength > 0)
        {
            reader.skip(hostLength, "host");
        }
        final int brokerPort = reader.readInt32("port");
        if (nodeId < 0 || hostLength <= 0)
        {
            writer.writeBytes(buffer, endpointOffset, reader.position() - endpointOffset);
            return;
        }
        final String brokerHost = buffer.getStringWithoutLengthUtf8(hostOffset, hostLength);
        final int proxyPort = mapper.proxyPort(nodeId, brokerHost, brokerPort);
        outcome = RewriteOutcome.withMappedPort(outcome, proxyPort);
        writer.writeInt32(nodeId)
            .writeString(flexible, mapper.advertisedHost(nodeId))
            .writeInt32(proxyPort);
    }
}
