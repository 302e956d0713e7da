package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The requests of one connection still waiting for their response, in the order they were sent, which is the
 * order Kafka answers them.
 *
 * <p>Each entry packs correlation id, api key and api version into one {@code long}, so tracking a request
 * allocates nothing; parallel arrays keep the time it was read, for the latency histogram, and how long the broker
 * may rightly hold it (its own wait, see {@link BrokerWaitAllowance}), for the request timeout. An entry can instead
 * carry a response the proxy made itself (an ApiVersions request newer
 * than it knows); that response is released to the client when the entry reaches the head, after every earlier
 * broker response. Produce requests with acks=0 get no response and are never entered. A request streaming to the
 * broker (cut-through) is entered at its head and is the newest entry until its last byte is sent
 * ({@link #markTailArriving}).
 *
 * <p>A ring that doubles when full. Confined to the connection's event loop.
 */
final class InFlightRequests
{
    private static final int INITIAL_CAPACITY = 8;
    private static final long NOT_ANSWERED = Long.MIN_VALUE;

    private long[] entries = new long[INITIAL_CAPACITY];
    private long[] readNanos = new long[INITIAL_CAPACITY];
    private int[] brokerWaitMillis = new int[INITIAL_CAPACITY];
    private long lastAnsweredNanos = NOT_ANSWERED;
    private boolean headStreaming;
    private boolean tailArriving;
    private ByteBuf[] localResponses;
    private ResponseAmendment[] amendments;
    private int head;
    private int size;

    /**
     * Records a request sent to the broker.
     *
     * @param correlationId    the request's correlation id.
     * @param apiKey           its api key.
     * @param apiVersion       its api version.
     * @param nanos            when it was read, {@link System#nanoTime()}.
     * @param brokerWaitMillis how long the broker may rightly hold it before answering.
     */
    void addBrokerAnswered(
        final int correlationId, final short apiKey, final short apiVersion, final long nanos, final int brokerWaitMillis)
    {
        add(correlationId, apiKey, apiVersion, nanos, null);
        tailBrokerWaitMillis(brokerWaitMillis);
    }

    /**
     * Records a request sent to the broker whose response the policy must change on its way back.
     *
     * @param correlationId    the request's correlation id.
     * @param apiKey           its api key.
     * @param apiVersion       its version.
     * @param nanos            when it was read, {@link System#nanoTime()}.
     * @param brokerWaitMillis how long the broker may rightly hold it before answering.
     * @param amendment        the change owed to its response.
     */
    void addBrokerAnswered(final int correlationId, final short apiKey, final short apiVersion, final long nanos,
        final int brokerWaitMillis, final ResponseAmendment amendment)
    {
        add(correlationId, apiKey, apiVersion, nanos, null);
        tailBrokerWaitMillis(brokerWaitMillis);
        if (amendments == null)
        {
            amendments = new ResponseAmendment[entries.length];
        }
        amendments[(head + size - 1) & (entries.length - 1)] = amendment;
    }

    /**
     * Records a request the proxy answers itself, with its answer.
     *
     * @param correlationId the request's correlation id.
     * @param apiKey        its api key.
     * @param apiVersion    its api version.
     * @param nanos         when it was read, {@link System#nanoTime()}.
     * @param response      the response frame; owned here until taken or released.
     */
    void addLocallyAnswered(
        final int correlationId, final short apiKey, final short apiVersion, final long nanos, final ByteBuf response)
    {
        add(correlationId, apiKey, apiVersion, nanos, response);
    }

    private void tailBrokerWaitMillis(final int millis)
    {
        brokerWaitMillis[(head + size - 1) & (entries.length - 1)] = millis;
    }

    private void add(final int correlationId, final short apiKey, final short apiVersion, final long nanos, final ByteBuf response)
    {
        if (size == entries.length)
        {
            grow();
        }
        final int index = (head + size) & (entries.length - 1);
        entries[index] = ((long)correlationId << 32) | ((apiKey & 0xFFFFL) << 16) | (apiVersion & 0xFFFFL);
        readNanos[index] = nanos;
        brokerWaitMillis[index] = 0;
        if (response != null)
        {
            if (localResponses == null)
            {
                localResponses = new ByteBuf[entries.length];
            }
            localResponses[index] = response;
        }
        size++;
    }

    private void grow()
    {
        final long[] grown = new long[entries.length * 2];
        final long[] grownNanos = new long[grown.length];
        final int[] grownWaits = new int[grown.length];
        final ByteBuf[] grownResponses = localResponses == null ? null : new ByteBuf[grown.length];
        final ResponseAmendment[] grownAmendments = amendments == null ? null : new ResponseAmendment[grown.length];
        for (int i = 0; i < size; i++)
        {
            final int index = (head + i) & (entries.length - 1);
            grown[i] = entries[index];
            grownNanos[i] = readNanos[index];
            grownWaits[i] = brokerWaitMillis[index];
            if (grownResponses != null)
            {
                grownResponses[i] = localResponses[index];
            }
            if (grownAmendments != null)
            {
                grownAmendments[i] = amendments[index];
            }
        }
        entries = grown;
        readNanos = grownNanos;
        brokerWaitMillis = grownWaits;
        localResponses = grownResponses;
        amendments = grownAmendments;
        head = 0;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    int headCorrelationId()
    {
        return (int)(entries[head] >>> 32);
    }

    short headApiKey()
    {
        return (short)(entries[head] >>> 16);
    }

    short headApiVersion()
    {
        return (short)entries[head];
    }

    long headReadNanos()
    {
        return readNanos[head];
    }

    /**
     * When the broker started on the head request: when it was read, or when the request before it was answered if
     * that came later (a broker handles one request of a connection at a time, so the head's wait starts there).
     *
     * @return a {@link System#nanoTime()} reading.
     */
    long headWaitStartNanos()
    {
        final long read = readNanos[head];
        return lastAnsweredNanos != NOT_ANSWERED && lastAnsweredNanos - read > 0 ? lastAnsweredNanos : read;
    }

    /**
     * How long the broker may rightly hold the head request before answering it.
     *
     * @return milliseconds; {@link Integer#MAX_VALUE} for a request whose wait has no bound the proxy knows.
     */
    int headBrokerWaitMillis()
    {
        return brokerWaitMillis[head];
    }

    /**
     * The head entry's local response, still owned here until {@link #removeHead(long)} hands it over.
     *
     * @return the response, or null for a broker-answered entry.
     */
    ByteBuf headLocalResponse()
    {
        return localResponses == null ? null : localResponses[head];
    }

    /**
     * The change the policy owes the head entry's response.
     *
     * @return the amendment, or null.
     */
    ResponseAmendment headAmendment()
    {
        return amendments == null ? null : amendments[head];
    }

    boolean headIsLocallyAnswered()
    {
        return localResponses != null && localResponses[head] != null;
    }

    /**
     * The head request's response has started streaming to the client: the broker has answered it, and only the
     * rest of its bytes are still to come.
     */
    void markHeadStreaming()
    {
        headStreaming = true;
    }

    /**
     * Whether the head request's response is streaming to the client (see {@link #markHeadStreaming()}).
     *
     * @return true from its first byte until the head is removed.
     */
    boolean headIsStreaming()
    {
        return headStreaming;
    }

    /**
     * The newest request is still streaming to the broker (cut-through): the broker cannot answer it before its last
     * byte, so the broker's wait for it has not started.
     */
    void markTailArriving()
    {
        tailArriving = true;
    }

    /**
     * The newest request's last byte went to the broker: its wait starts now, and its latency is timed from now, as an
     * assembled request's is from the read that made it whole.
     *
     * @param nanos the time now, {@link System#nanoTime()}.
     */
    void tailArrived(final long nanos)
    {
        if (tailArriving && size > 0)
        {
            readNanos[(head + size - 1) & (entries.length - 1)] = nanos;
        }
        tailArriving = false;
    }

    /**
     * Whether the head request is still streaming to the broker (see {@link #markTailArriving()}): its time is the
     * client's, not the broker's.
     *
     * @return true while the head is the newest entry and its last byte has not been sent.
     */
    boolean headIsArriving()
    {
        return tailArriving && size == 1;
    }

    /**
     * Removes the head entry, handing over its local response if it has one.
     *
     * @param answeredNanos when it was answered, {@link System#nanoTime()}.
     * @return the local response, now owned by the caller, or null for a broker-answered entry.
     */
    ByteBuf removeHead(final long answeredNanos)
    {
        lastAnsweredNanos = answeredNanos;
        headStreaming = false;
        ByteBuf response = null;
        if (localResponses != null)
        {
            response = localResponses[head];
            localResponses[head] = null;
        }
        if (amendments != null)
        {
            amendments[head] = null;
        }
        head = (head + 1) & (entries.length - 1);
        size--;
        if (size == 0)
        {
            // Answered before its last byte went (a broker that does not follow the protocol): nothing is arriving.
            tailArriving = false;
        }
        return response;
    }

    /**
     * Forgets every entry and releases the local responses not yet sent.
     */
    void clear()
    {
        if (localResponses != null)
        {
            for (final ByteBuf response : localResponses)
            {
                if (response != null)
                {
                    response.release();
                }
            }
            Arrays.fill(localResponses, null);
        }
        if (amendments != null)
        {
            Arrays.fill(amendments, null);
        }
        headStreaming = false;
        tailArriving = false;
        head = 0;
        size = 0;
    }
}
