package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A record as a binary WebSocket frame ({@code format=binary}), big-endian, the topic being the stream's:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                        partition (int32)                      |
 * +---------------------------------------------------------------+
 * |                         offset (int64)                        |
 * +---------------------------------------------------------------+
 * |                   timestamp (int64, ms since epoch)           |
 * +---------------------------------------------------------------+
 * |          key length (int32, -1 = null)  |  key bytes ...      |
 * +---------------------------------------------------------------+
 * |        value length (int32, -1 = null)  |  value bytes ...    |
 * +---------------------------------------------------------------+
 * |  header count (int16)  | per header: key length (int16), key (UTF-8),
 * |                        |   value length (int32, -1 = null), value
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Each record is encoded once, whatever the number of subscribers: the bytes are kept on the shared
 * {@link FeedRecord}. Stateless; any thread.
 */
final class FeedRecordBinary
{
    private static final Object KIND = new Object();
    private static final int FIXED_BYTES = 4 + 8 + 8 + 4 + 4 + 2;

    private FeedRecordBinary()
    {
    }

    /**
     * The record's binary form, encoded at the first call and kept on the record.
     *
     * @param record the record.
     * @return the bytes; shared: never mutate.
     */
    static byte[] of(final FeedRecord record)
    {
        return record.encodedAs(KIND, FeedRecordBinary::encode);
    }

    private static byte[] encode(final FeedRecord record)
    {
        int size = FIXED_BYTES + length(record.key()) + length(record.value());
        int headers = 0;
        for (final Header header : record.headers())
        {
            size += 2 + header.key().getBytes(StandardCharsets.UTF_8).length + 4 + length(header.value());
            headers++;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(record.partition()).putLong(record.offset()).putLong(record.timestamp());
        putBytes(buffer, record.key());
        putBytes(buffer, record.value());
        buffer.putShort((short) headers);
        for (final Header header : record.headers())
        {
            final byte[] key = header.key().getBytes(StandardCharsets.UTF_8);
            buffer.putShort((short) key.length).put(key);
            putBytes(buffer, header.value());
        }
        return buffer.array();
    }

    private static void putBytes(final ByteBuffer buffer, final byte[] bytes)
    {
        if (bytes == null)
        {
            buffer.putInt(-1);
        }
        else
        {
            buffer.putInt(bytes.length).put(bytes);
        }
    }

    private static int length(final byte[] bytes)
    {
        return bytes == null ? 0 : bytes.length;
    }
}
