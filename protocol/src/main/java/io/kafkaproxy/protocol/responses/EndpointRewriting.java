package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import org.agrona.DirectBuffer;

/**
 * Rewrites broker endpoints in place of the originals: the shared step of every response rewriter.
 *
 * <p>Reads an endpoint ({@code node_id | host | port}) and writes it back with the advertised host and the
 * port the mapper gives, or unchanged when it names no node (node id below zero, as in a FindCoordinator error).
 * One instance per rewriter; not thread safe.
 */
final class EndpointRewriting
{
    private final KafkaWireReader reader;
    private int outcome;

    EndpointRewriting(final KafkaWireReader reader)
    {
        this.reader = reader;
    }

    /**
     * Starts a new response.
     */
    void reset()
    {
        outcome = RewriteOutcome.UNCHANGED;
    }

    /**
     * The combined outcome of every endpoint rewritten since {@link #reset()}.
     *
     * @return a {@link RewriteOutcome} constant.
     */
    int outcome()
    {
        return outcome;
    }

    /**
     * Reads one endpoint at the reader's position and writes its rewritten form.
     *
     * @param flexible whether host is a compact string.
     * @param mapper   the address mapper.
     * @param writer   where the rewritten endpoint goes.
     */
    void rewriteEndpoint(final boolean flexible, final BrokerEndpointMapper mapper, final KafkaWireWriter writer)
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
            .writeString(flexible, mapper.advertisedHost())
            .writeInt32(proxyPort);
    }

    /**
     * Rewrites an array of endpoint entries at the reader's position into the writer.
     *
     * @param layout   the shape of each entry.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     * @param mapper   the address mapper.
     * @param writer   where the rewritten array goes.
     * @return the number of entries.
     */
    int rewriteArray(
        final EndpointEntryLayout layout,
        final short version,
        final boolean flexible,
        final BrokerEndpointMapper mapper,
        final KafkaWireWriter writer)
    {
        final DirectBuffer buffer = reader.buffer();
        final int count = reader.readArrayLength(flexible, "endpoints");
        writer.writeArrayLength(flexible, count);
        for (int i = 0; i < count; i++)
        {
            final int entryOffset = reader.position();
            layout.skipPrefix(reader, version, flexible);
            writer.writeBytes(buffer, entryOffset, reader.position() - entryOffset);
            rewriteEndpoint(flexible, mapper, writer);
            final int suffixOffset = reader.position();
            layout.skipSuffix(reader, version, flexible);
            writer.writeBytes(buffer, suffixOffset, reader.position() - suffixOffset);
        }
        return count;
    }
}
