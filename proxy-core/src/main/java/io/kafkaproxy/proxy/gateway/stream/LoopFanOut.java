package io.kafkaproxy.proxy.gateway.stream;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscribers of one feed that live on one event loop: the feed hands each batch it reads to every loop once,
 * and the loop hands it to its subscribers, so a batch costs one task per loop, not one per subscriber.
 *
 * <p>The subscriber list is confined to the event loop; {@link #inFlightBytes()} is shared with the feed's thread,
 * which stops reading while a loop is too far behind.
 */
final class LoopFanOut
{
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopFanOut.class);

    private final EventLoop eventLoop;
    private final List<FeedSubscription> subscriptions = new ArrayList<>();
    // The feed's thread adds a batch's bytes when it hands the batch over, the loop subtracts them once delivered.
    private final AtomicLong inFlightBytes = new AtomicLong();
    // Owned by the feed's thread: the subscriptions on this loop the feed counts.
    private int members;

    LoopFanOut(final EventLoop eventLoop)
    {
        this.eventLoop = eventLoop;
    }

    EventLoop eventLoop()
    {
        return eventLoop;
    }

    AtomicLong inFlightBytes()
    {
        return inFlightBytes;
    }

    int members()
    {
        return members;
    }

    void addMember()
    {
        members++;
    }

    void removeMember()
    {
        members--;
    }

    /**
     * Adds a subscription. Event loop only.
     *
     * @param subscription the subscription.
     */
    void add(final FeedSubscription subscription)
    {
        subscriptions.add(subscription);
    }

    /**
     * Removes a subscription. Event loop only.
     *
     * @param subscription the subscription.
     */
    void remove(final FeedSubscription subscription)
    {
        subscriptions.remove(subscription);
    }

    /**
     * Hands a batch to every subscription on this loop. Event loop only.
     *
     * @param batch      the records.
     * @param batchBytes their size, as added to {@link #inFlightBytes()}.
     */
    void deliver(final List<FeedRecord> batch, final long batchBytes)
    {
        try
        {
            // A subscriber dropped as slow leaves the list while it is walked: walk a copy.
            final FeedSubscription[] current = subscriptions.toArray(new FeedSubscription[0]);
            for (final FeedSubscription subscription : current)
            {
                try
                {
                    subscription.deliverLive(batch);
                }
                catch (final RuntimeException e)
                {
                    // One subscriber's bug ends that subscriber, not the others on the loop.
                    LOGGER.atWarn().addKeyValue("topic", batch.get(0).topic()).addKeyValue("error", e.toString())
                        .log("subscriber failed to take records");
                    subscription.fail();
                }
            }
        }
        finally
        {
            inFlightBytes.addAndGet(-batchBytes);
        }
    }
}
