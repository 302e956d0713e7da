package io.kafkaproxy.protocol;

import org.agrona.DirectBuffer;

/**
 * View over the body of a Produce request, reading the fields that decide how the proxy tracks it.
 *
 * <pre>
 *  v0-v2:  acks int16 | timeout_ms int32 | topic_data ...
 *  v3+:    transactional_id nullable string | acks int16 | timeout_ms int32 | topic_data ...
 *          (compact string from v9, the first flexible version)
 * </pre>
 *
 * Only the fields ahead of {@code topic_data} are read; record batches are never touched.
 */
public final class ProduceRequestFlyweight
{
    /** The acks value of a request the broker will not answer. */
    public static final short ACKS_NONE = 0;

    private static final short FIRST_TRANSACTIONAL_VERSION = 3;

    private final KafkaWireReader reader = new KafkaWireReader();
    private short acks;

    /**
     * Wraps a Produce request body.
     *
     * @param buffer     the buffer holding the request.
     * @param offset     the offset of the body.
     * @param length     the body length.
     * @param apiVersion the request version.
     * @return this flyweight.
     * @throws MalformedFrameException if the leading fields run past the body.
     */
    public ProduceRequestFlyweight wrap(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        reader.wrap(buffer, offset, length);
        if (apiVersion >= FIRST_TRANSACTIONAL_VERSION)
        {
            reader.skipString(ApiHeaderVersions.isFlexible(ApiKeyIds.PRODUCE, apiVersion), "transactional_id");
        }
        acks = reader.readInt16("acks");
        return this;
    }

    /**
     * The acknowledgement mode; {@link #ACKS_NONE} means no response will come.
     *
     * @return acks.
     */
    public short acks()
    {
        return acks;
    }
}
