package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * Encodes the mirror's Produce requests (v3 to v12, topics by name, no transactional id) around record sets
 * already in memory: the fields go into one small buffer, and the frame is a composite of slices of it and the
 * record sets themselves, so the records are not copied again here. (The small buffer is on the heap, so the
 * composite is not direct and the epoll transport copies the frame into a direct buffer as it writes it.)
 *
 * <pre>
 *  size int32 | header: api_key int16 | api_version int16 | correlation_id int32 | client_id string | tags (v9+)
 *  transactional_id null | acks int16 | timeout_ms int32
 *  topic_data [ name string | partition_data [ index int32 | records bytes | tags (v9+) ] | tags (v9+) ] | tags (v9+)
 * </pre>
 *
 * Stateless.
 */
final class ShadowProduceEncoder
{
    private static final short FIRST_FLEXIBLE_VERSION = 9;
    private static final byte[] CLIENT_ID = "kafka-proxy-mirror".getBytes(StandardCharsets.US_ASCII);

    private ShadowProduceEncoder()
    {
    }

    /**
     * Encodes one request. Partitions of one topic must be next to each other.
     *
     * @param version       the Produce version, 3 to 12.
     * @param correlationId the correlation id.
     * @param acks          0, 1 or -1.
     * @param timeoutMs     how long the broker may wait for replication.
     * @param topics        the topic of each partition.
     * @param partitions    the index of each partition.
     * @param recordSets    the record set of each partition; ownership moves to the frame.
     * @return the frame, size field first.
     */
    static ByteBuf encode(
        final short version, final int correlationId, final short acks, final int timeoutMs, final String[] topics,
        final int[] partitions, final ByteBuf[] recordSets)
    {
        final boolean flexible = version >= FIRST_FLEXIBLE_VERSION;
        final int size = partitions.length;
        int glueBytes = 32 + CLIENT_ID.length;
        int topicCount = 0;
        for (int k = 0; k < size; k++)
        {
            if (startsTopic(topics, k))
            {
                topicCount++;
                glueBytes += ByteBufUtil.utf8Bytes(topics[k]) + 12;
            }
            glueBytes += 12;
        }
        final ByteBuf glue = Unpooled.buffer(glueBytes);
        final CompositeByteBuf frame = Unpooled.compositeBuffer(2 * size + 2);
        glue.writeInt(0);
        glue.writeShort(ApiKeyIds.PRODUCE).writeShort(version).writeInt(correlationId);
        glue.writeShort(CLIENT_ID.length).writeBytes(CLIENT_ID);
        if (ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.PRODUCE, version) >= 2)
        {
            glue.writeByte(0);
        }
        if (flexible)
        {
            writeVarint(glue, 0);
        }
        else
        {
            glue.writeShort(-1);
        }
        glue.writeShort(acks).writeInt(timeoutMs);
        writeLength(glue, flexible, topicCount);
        int glueStart = 0;
        for (int k = 0; k < size; k++)
        {
            if (startsTopic(topics, k))
            {
                // Written straight from the string's characters: no byte array per topic and request.
                final int nameLength = ByteBufUtil.utf8Bytes(topics[k]);
                if (flexible)
                {
                    writeVarint(glue, nameLength + 1);
                }
                else
                {
                    glue.writeShort(nameLength);
                }
                ByteBufUtil.reserveAndWriteUtf8(glue, topics[k], nameLength);
                int partitionsOfTopic = 1;
                while (k + partitionsOfTopic < size && topics[k + partitionsOfTopic].equals(topics[k]))
                {
                    partitionsOfTopic++;
                }
                writeLength(glue, flexible, partitionsOfTopic);
            }
            glue.writeInt(partitions[k]);
            writeLength(glue, flexible, recordSets[k].readableBytes());
            frame.addComponent(true, glue.retainedSlice(glueStart, glue.writerIndex() - glueStart));
            glueStart = glue.writerIndex();
            frame.addComponent(true, recordSets[k]);
            if (flexible)
            {
                glue.writeByte(0);
                if (k + 1 == size || startsTopic(topics, k + 1))
                {
                    glue.writeByte(0);
                }
            }
        }
        if (flexible)
        {
            glue.writeByte(0);
        }
        if (glue.writerIndex() > glueStart)
        {
            frame.addComponent(true, glue.retainedSlice(glueStart, glue.writerIndex() - glueStart));
        }
        // The slices share the glue's memory, so the size field is set through it once the length is known.
        glue.setInt(0, frame.readableBytes() - Integer.BYTES);
        glue.release();
        return frame;
    }

    private static boolean startsTopic(final String[] topics, final int k)
    {
        return k == 0 || !topics[k].equals(topics[k - 1]);
    }

    private static void writeLength(final ByteBuf buf, final boolean flexible, final int length)
    {
        if (flexible)
        {
            writeVarint(buf, length + 1);
        }
        else
        {
            buf.writeInt(length);
        }
    }

    private static void writeVarint(final ByteBuf buf, final int value)
    {
        int rest = value;
        while ((rest & ~0x7f) != 0)
        {
            buf.writeByte((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        buf.writeByte(rest);
    }
}
