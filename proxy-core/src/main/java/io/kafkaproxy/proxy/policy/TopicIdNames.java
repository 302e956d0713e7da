package io.kafkaproxy.proxy.policy;

import io.netty.util.concurrent.FastThreadLocal;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names of the topics the proxy has seen by id, learnt from the Metadata responses it forwards.
 *
 * <p>Produce v13+ and Fetch v13+ name topics by id (KIP-516) while ACL rules name them by name; a client learns
 * a topic's id from a Metadata response, which passes through the proxy first, so the proxy learns it there too.
 * A topic id the proxy has not seen is answered as UNKNOWN_TOPIC_ID: the client refreshes its metadata through
 * the proxy and retries.
 *
 * <p>Shared by every event loop: the one map all loops write (rarely, when a Metadata response names a topic
 * not yet known) and read (at each Produce or Fetch naming topics by id while ACL rules apply). A
 * {@link ConcurrentHashMap} gives lock-free reads; lookups probe it with a per-thread mutable key, so they
 * allocate nothing.
 */
public final class TopicIdNames
{
    private static final FastThreadLocal<TopicId> PROBE = new FastThreadLocal<>()
    {
        @Override
        protected TopicId initialValue()
        {
            return new TopicId();
        }
    };

    private final ConcurrentHashMap<TopicId, TopicName> names = new ConcurrentHashMap<>();

    /**
     * The name of a topic id.
     *
     * @param mostSignificantBits  the id's high bits.
     * @param leastSignificantBits the id's low bits.
     * @return the name, or null if no Metadata response named the id yet.
     */
    public String name(final long mostSignificantBits, final long leastSignificantBits)
    {
        final TopicName topic = lookUp(mostSignificantBits, leastSignificantBits);
        return topic == null ? null : topic.name;
    }

    /**
     * The UTF-8 bytes of a topic id's name, for callers that match names in place.
     *
     * @param mostSignificantBits  the id's high bits.
     * @param leastSignificantBits the id's low bits.
     * @return a read-only view of the name's bytes (do not write to it), or null if the id is not known.
     */
    public DirectBuffer nameBytes(final long mostSignificantBits, final long leastSignificantBits)
    {
        final TopicName topic = lookUp(mostSignificantBits, leastSignificantBits);
        return topic == null ? null : topic.bytes;
    }

    private TopicName lookUp(final long mostSignificantBits, final long leastSignificantBits)
    {
        final TopicId probe = PROBE.get();
        probe.mostSignificantBits = mostSignificantBits;
        probe.leastSignificantBits = leastSignificantBits;
        return names.get(probe);
    }

    /**
     * Records a topic's id and name, allocating only when the id is new.
     *
     * @param mostSignificantBits  the id's high bits.
     * @param leastSignificantBits the id's low bits.
     * @param buffer               holds the name's UTF-8 bytes.
     * @param nameOffset           where the name starts.
     * @param nameLength           the name's length in bytes.
     */
    public void learn(
        final long mostSignificantBits, final long leastSignificantBits, final DirectBuffer buffer, final int nameOffset, final int nameLength)
    {
        if ((mostSignificantBits == 0 && leastSignificantBits == 0) || nameLength <= 0 ||
            name(mostSignificantBits, leastSignificantBits) != null)
        {
            return;
        }
        final byte[] bytes = new byte[nameLength];
        buffer.getBytes(nameOffset, bytes);
        final TopicId id = new TopicId();
        id.mostSignificantBits = mostSignificantBits;
        id.leastSignificantBits = leastSignificantBits;
        names.put(id, new TopicName(new String(bytes, StandardCharsets.UTF_8), new UnsafeBuffer(bytes)));
    }

    /**
     * How many topics are known.
     *
     * @return the count.
     */
    public int size()
    {
        return names.size();
    }

    /**
     * A topic's name as a string and as bytes, both made once when the topic is learnt.
     */
    private record TopicName(String name, DirectBuffer bytes)
    {
    }

    /**
     * A topic id as a map key; the stored keys never change, the per-thread probe is re-pointed for each lookup.
     */
    private static final class TopicId
    {
        long mostSignificantBits;
        long leastSignificantBits;

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof TopicId &&
                ((TopicId)other).mostSignificantBits == mostSignificantBits &&
                ((TopicId)other).leastSignificantBits == leastSignificantBits;
        }

        @Override
        public int hashCode()
        {
            final long mixed = mostSignificantBits ^ leastSignificantBits;
            return (int)(mixed ^ (mixed >>> 32));
        }
    }
}
