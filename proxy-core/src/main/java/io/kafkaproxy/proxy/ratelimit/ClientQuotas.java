package io.kafkaproxy.proxy.ratelimit;

import org.agrona.DirectBuffer;

/**
 * The quotas of one client connection: the rate buckets of its principal, resolved once when the principal is
 * known, so that charging a request is a few array reads and one compare-and-set per bucket, with no lookup and no
 * allocation.
 *
 * <p>Each method charges the traffic and returns the throttle time in nanoseconds the connection must impose
 * (0 when within the rate, or when no quota applies). When several apply to one request (the principal's and a
 * topic's), the caller imposes the largest. Immutable; the buckets it shares are thread-safe, so any thread may
 * call it, though a connection calls it from its own event loop.
 */
public final class ClientQuotas
{
    /** The quotas of a principal no rule matches: nothing is limited. */
    static final ClientQuotas NONE = new ClientQuotas(null, null, null, new NamePattern[0], new RateBucket[0]);

    private final RateBucket produce;
    private final RateBucket fetch;
    private final RateBucket requests;
    private final NamePattern[] topicPatterns;
    private final RateBucket[] topicProduce;

    ClientQuotas(
        final RateBucket produce,
        final RateBucket fetch,
        final RateBucket requests,
        final NamePattern[] topicPatterns,
        final RateBucket[] topicProduce)
    {
        this.produce = produce;
        this.fetch = fetch;
        this.requests = requests;
        this.topicPatterns = topicPatterns;
        this.topicProduce = topicProduce;
    }

    /**
     * Charges the bytes of a Produce request to the principal's produce rate.
     *
     * @param bytes    the request's size.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return the throttle time in nanoseconds; 0 when within the rate or when the principal has none.
     */
    public long onProduceBytes(final long bytes, final long nowNanos)
    {
        return produce == null ? 0 : produce.record(bytes, nowNanos);
    }

    /**
     * Charges the bytes of a Fetch response to the principal's fetch rate.
     *
     * @param bytes    the response's size.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return the throttle time in nanoseconds; 0 when within the rate or when the principal has none.
     */
    public long onFetchBytes(final long bytes, final long nowNanos)
    {
        return fetch == null ? 0 : fetch.record(bytes, nowNanos);
    }

    /**
     * Charges one request to the principal's request rate.
     *
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return the throttle time in nanoseconds; 0 when within the rate or when the principal has none.
     */
    public long onRequest(final long nowNanos)
    {
        return requests == null ? 0 : requests.record(1, nowNanos);
    }

    /**
     * Charges bytes produced to one topic to the first topic rule matching it. The principal's own produce rate is
     * charged separately, with {@link #onProduceBytes(long, long)} for the whole request.
     *
     * @param nameBuffer the buffer holding the topic name, UTF-8.
     * @param nameOffset where the name starts.
     * @param nameLength the name's length in bytes.
     * @param bytes      the bytes produced to the topic.
     * @param nowNanos   the time, a {@link System#nanoTime()} reading.
     * @return the throttle time in nanoseconds; 0 when within the rate or when no topic rule with a produce rate
     *         matches.
     */
    public long onProduceBytes(
        final DirectBuffer nameBuffer, final int nameOffset, final int nameLength, final long bytes, final long nowNanos)
    {
        final int rule = topicRule(nameBuffer, nameOffset, nameLength);
        return rule < 0 || topicProduce[rule] == null ? 0 : topicProduce[rule].record(bytes, nowNanos);
    }

    private int topicRule(final DirectBuffer nameBuffer, final int nameOffset, final int nameLength)
    {
        for (int i = 0; i < topicPatterns.length; i++)
        {
            if (topicPatterns[i].matches(nameBuffer, nameOffset, nameLength))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether any byte rate applies, the principal's or a topic's: when false, the caller need not size requests or
     * responses at all.
     *
     * @return true if produce or fetch bytes are limited.
     */
    public boolean hasByteQuotas()
    {
        return produce != null || fetch != null || topicPatterns.length > 0;
    }

    /**
     * Whether any topic rule applies: when false, the caller need not walk the topics of requests and responses.
     *
     * @return true if some topic's bytes are limited.
     */
    public boolean hasTopicQuotas()
    {
        return topicPatterns.length > 0;
    }

    /**
     * Whether the request rate applies.
     *
     * @return true if requests are limited.
     */
    public boolean hasRequestQuota()
    {
        return requests != null;
    }
}
