package io.kafkaproxy.proxy.gateway.stream;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * One subscriber's place in a topic: the next offset it needs per partition, the partitions a private catch-up
 * reader still serves, and the slow-subscriber rule. Nothing else: the records it has not taken yet wait in its
 * channel, not here, which keeps an idle subscription to a few dozen bytes.
 *
 * <p>Confined to the subscriber's event loop, except {@link #cancel()} and {@link #isCancelled()}.
 */
public final class FeedSubscription
{
    private static final long UNKNOWN = -1;

    private final FeedSubscriber subscriber;
    private final long bufferLimitBytes;
    private final Owner owner;
    private long[] positions = new long[0];
    private BitSet catchingUp;
    private LoopFanOut fanOut;
    private boolean started;
    private boolean ended;
    // Read by the feed, catch-up and group threads to stop work for a subscriber that went away.
    private volatile boolean cancelled;

    FeedSubscription(final FeedSubscriber subscriber, final long bufferLimitBytes, final Owner owner)
    {
        this.subscriber = subscriber;
        this.bufferLimitBytes = bufferLimitBytes;
        this.owner = owner;
    }

    /**
     * Ends the subscription: no callback follows, not even {@link FeedSubscriber#onClosed}. Any thread; idempotent.
     */
    public void cancel()
    {
        if (subscriber.eventLoop().inEventLoop())
        {
            end(null);
        }
        else
        {
            cancelled = true;
            post(() -> end(null));
        }
    }

    /**
     * The next offset per partition, in partition order: what a subscriber resumes from. Event loop only.
     *
     * @return the positions (a copy).
     */
    public Map<Integer, Long> positions()
    {
        final Map<Integer, Long> copy = new LinkedHashMap<>();
        for (int partition = 0; partition < positions.length; partition++)
        {
            if (positions[partition] != UNKNOWN)
            {
                copy.put(partition, positions[partition]);
            }
        }
        return copy;
    }

    /**
     * Appends the positions as {@code 0:16,1:22}: the SSE event id. Event loop only.
     *
     * @param to where to append.
     * @return {@code to}.
     */
    public StringBuilder appendPositions(final StringBuilder to)
    {
        boolean first = true;
        for (int partition = 0; partition < positions.length; partition++)
        {
            if (positions[partition] != UNKNOWN)
            {
                if (!first)
                {
                    to.append(',');
                }
                to.append(partition).append(':').append(positions[partition]);
                first = false;
            }
        }
        return to;
    }

    /**
     * Runs a task on the subscriber's event loop; any thread.
     *
     * @param task the task.
     * @return false if the loop takes no more tasks: it stops with the proxy, and its channels close with it.
     */
    boolean post(final Runnable task)
    {
        try
        {
            subscriber.eventLoop().execute(task);
            return true;
        }
        catch (final RejectedExecutionException e)
        {
            return false;
        }
    }

    /**
     * Whether the subscriber has more waiting than the slow-subscriber rule allows: what a heartbeat asks, so a client
     * that stopped reading a quiet topic is not sent pings without end. Event loop only.
     *
     * @return true if past {@code subscriberBufferBytes}.
     */
    boolean isOverBuffer()
    {
        return subscriber.backlogBytes() > bufferLimitBytes;
    }

    /**
     * The subscriber.
     *
     * @return the subscriber.
     */
    FeedSubscriber subscriber()
    {
        return subscriber;
    }

    /**
     * Whether the subscription ended or was cancelled; any thread.
     *
     * @return true once gone.
     */
    boolean isCancelled()
    {
        return cancelled;
    }

    /**
     * Whether the subscription ended; event loop only.
     *
     * @return true once ended.
     */
    boolean isEnded()
    {
        return ended;
    }

    /**
     * Starts: the positions, the partitions a catch-up reader serves first, and the records to replay from the window.
     *
     * @param startPositions the next offset per partition.
     * @param catchUp        the partitions served by a catch-up reader until it hands over; null for none.
     * @param replay         records from the window, in order per partition.
     * @return false if the subscription was cancelled meanwhile.
     */
    boolean start(final long[] startPositions, final BitSet catchUp, final List<FeedRecord> replay)
    {
        if (ended || cancelled)
        {
            end(null);
            return false;
        }
        positions = startPositions.clone();
        catchingUp = catchUp == null || catchUp.isEmpty() ? null : catchUp;
        started = true;
        subscriber.onStart(this);
        if (!ended && !replay.isEmpty())
        {
            deliver(replay, false);
        }
        return !ended;
    }

    /**
     * Ends (or refuses, before the start) the subscription for a reason the feed gives. Event loop only.
     *
     * @param reason why.
     */
    void close(final FeedCloseReason reason)
    {
        end(reason);
    }

    /**
     * Ends the subscription after its subscriber threw. Event loop only.
     */
    void fail()
    {
        end(FeedCloseReason.FAILED);
    }

    /**
     * The loop's share of the feed this subscription takes live records from, once started; event loop only.
     *
     * @return the fan-out, or null.
     */
    LoopFanOut fanOut()
    {
        return fanOut;
    }

    /**
     * Records the loop's share of the feed this subscription joined; event loop only.
     *
     * @param fanOut the fan-out.
     */
    void joined(final LoopFanOut fanOut)
    {
        this.fanOut = fanOut;
    }

    /**
     * Delivers records the shared feed read, except those of partitions a catch-up reader still serves.
     *
     * @param batch the records, in order per partition.
     */
    void deliverLive(final List<FeedRecord> batch)
    {
        deliver(batch, true);
    }

    /**
     * Forgets the positions reached: the reader now reads another upstream, whose offsets have nothing to do with the
     * ones delivered so far (a group subscription after its cluster switched). Event loop only.
     */
    void forgetPositions()
    {
        positions = new long[0];
    }

    /**
     * Delivers records a private reader (catch-up or consumer group) read.
     *
     * @param batch the records, in order per partition.
     */
    void deliverPrivate(final List<FeedRecord> batch)
    {
        deliver(batch, false);
    }

    /**
     * A catch-up reader handed a partition over to the shared feed: the window's records from the handover offset.
     *
     * @param partition the partition.
     * @param replay    the window's records of that partition from where the reader stopped.
     */
    void handOver(final int partition, final List<FeedRecord> replay)
    {
        if (ended)
        {
            return;
        }
        if (catchingUp != null)
        {
            catchingUp.clear(partition);
            if (catchingUp.isEmpty())
            {
                catchingUp = null;
            }
        }
        deliver(replay, false);
    }

    private void deliver(final List<FeedRecord> batch, final boolean live)
    {
        if (ended || !started || cancelled)
        {
            return;
        }
        boolean written = false;
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final FeedRecord record = batch.get(i);
            final int partition = record.partition();
            if (live && catchingUp != null && catchingUp.get(partition))
            {
                continue;
            }
            if (partition >= positions.length)
            {
                final int known = positions.length;
                positions = Arrays.copyOf(positions, partition + 1);
                Arrays.fill(positions, known, positions.length, UNKNOWN);
            }
            // The window, the live feed and a catch-up reader overlap at the handovers: the position drops repeats.
            if (record.offset() < positions[partition])
            {
                continue;
            }
            positions[partition] = record.offset() + 1;
            subscriber.onRecord(record, this);
            written = true;
            if (ended)
            {
                return;
            }
            if (subscriber.backlogBytes() > bufferLimitBytes)
            {
                subscriber.onFlush();
                written = false;
                if (subscriber.backlogBytes() > bufferLimitBytes)
                {
                    end(FeedCloseReason.SLOW);
                    return;
                }
            }
        }
        if (written)
        {
            subscriber.onFlush();
        }
    }

    private void end(final FeedCloseReason reason)
    {
        if (ended)
        {
            return;
        }
        ended = true;
        cancelled = true;
        owner.onEnded(this, reason);
        if (reason != null)
        {
            subscriber.onClosed(reason);
        }
    }

    /**
     * Whoever feeds the subscription: told once when it ends.
     */
    interface Owner
    {
        /**
         * The subscription ended. On the subscriber's event loop.
         *
         * @param subscription the subscription.
         * @param reason       why; null when cancelled.
         */
        void onEnded(FeedSubscription subscription, FeedCloseReason reason);
    }
}
