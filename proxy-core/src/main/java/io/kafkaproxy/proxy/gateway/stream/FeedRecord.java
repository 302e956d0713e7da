package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.Arrays;
import java.util.function.Function;

/**
 * One Kafka record as every subscriber of a topic gets it: one instance per record, shared, never copied; nobody
 * mutates its arrays or headers.
 *
 * <p>An endpoint may keep one encoding of the record (the JSON of an SSE event, say) in {@link #encoded(Object)}
 * so the thousand subscribers of a topic encode it once.
 */
public final class FeedRecord
{
    private static final int OVERHEAD_BYTES = 64;
    private static final int MAX_ENCODINGS = 4;
    private static final Encoded[] NO_ENCODINGS = new Encoded[0];

    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final Headers headers;
    private final int sizeBytes;
    // Benign race: encodings are immutable and equal whoever computes them; the volatile array, never changed once
    // published, hands them over whole. A lost update costs one more encoding, never a wrong one.
    private volatile Encoded[] encoded = NO_ENCODINGS;

    /**
     * A record.
     *
     * @param topic     the topic.
     * @param partition the partition.
     * @param offset    the offset.
     * @param timestamp the timestamp, milliseconds since the epoch.
     * @param key       the key, or null.
     * @param value     the value, or null.
     * @param headers   the headers.
     */
    public FeedRecord(
        final String topic,
        final int partition,
        final long offset,
        final long timestamp,
        final byte[] key,
        final byte[] value,
        final Headers headers)
    {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
        int size = OVERHEAD_BYTES + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (final Header header : headers)
        {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        this.sizeBytes = size;
    }

    /**
     * The topic.
     *
     * @return the topic.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * The partition.
     *
     * @return the partition.
     */
    public int partition()
    {
        return partition;
    }

    /**
     * The offset.
     *
     * @return the offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * The timestamp.
     *
     * @return milliseconds since the epoch.
     */
    public long timestamp()
    {
        return timestamp;
    }

    /**
     * The key; do not mutate it.
     *
     * @return the key, or null.
     */
    public byte[] key()
    {
        return key;
    }

    /**
     * The value; do not mutate it.
     *
     * @return the value, or null.
     */
    public byte[] value()
    {
        return value;
    }

    /**
     * The headers; do not mutate them.
     *
     * @return the headers.
     */
    public Headers headers()
    {
        return headers;
    }

    /**
     * About the heap this record holds: key, value, headers and a fixed overhead.
     *
     * @return the size in bytes.
     */
    public int sizeBytes()
    {
        return sizeBytes;
    }

    /**
     * The encoding an endpoint kept, if it is of the given kind.
     *
     * @param kind the key the endpoint keeps its encoding under (an instance only it has).
     * @return the encoding, or null.
     */
    public Object encoded(final Object kind)
    {
        for (final Encoded e : encoded)
        {
            if (e.kind == kind)
            {
                return e.value;
            }
        }
        return null;
    }

    /**
     * The encoding of a kind: the one kept, or the encoder's, kept for the next subscriber. How an endpoint encodes a
     * record once for all its subscribers.
     *
     * @param kind    the key the endpoint keeps its encoding under (an instance only it has).
     * @param encoder makes the encoding (immutable) from the record; may run more than once under a race, never
     *                wrongly.
     * @param <T>     the encoding's type; one per kind.
     * @return the encoding.
     */
    @SuppressWarnings("unchecked")
    public <T> T encodedAs(final Object kind, final Function<FeedRecord, T> encoder)
    {
        final Object kept = encoded(kind);
        if (kept != null)
        {
            return (T)kept;
        }
        final T encoding = encoder.apply(this);
        keepEncoded(kind, encoding);
        return encoding;
    }

    /**
     * Keeps an endpoint's encoding of this record beside those of other endpoints (SSE JSON, WebSocket binary, MQTT
     * properties of one record live side by side; past four kinds the oldest goes).
     *
     * @param kind  the key the endpoint keeps its encoding under.
     * @param value the encoding; immutable.
     */
    public void keepEncoded(final Object kind, final Object value)
    {
        final Encoded[] current = encoded;
        final int kept = Math.min(current.length, MAX_ENCODINGS - 1);
        final Encoded[] next = new Encoded[kept + 1];
        int n = 0;
        for (int i = current.length - kept; i < current.length; i++)
        {
            if (current[i].kind != kind)
            {
                next[n++] = current[i];
            }
        }
        next[n++] = new Encoded(kind, value);
        encoded = n == next.length ? next : Arrays.copyOf(next, n);
    }

    @Override
    public String toString()
    {
        return "FeedRecord{topic=" + topic + ", partition=" + partition + ", offset=" + offset + "}";
    }

    private record Encoded(Object kind, Object value)
    {
    }
}
