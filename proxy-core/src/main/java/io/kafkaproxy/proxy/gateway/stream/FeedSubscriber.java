package io.kafkaproxy.proxy.gateway.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

/**
 * One subscriber of a topic: an SSE stream, a WebSocket, an MQTT session. Every callback runs on
 * {@link #eventLoop()}, in order, never concurrently, so an implementation keeps its state in plain fields.
 */
public interface FeedSubscriber
{
    /**
     * The event loop every callback runs on: the subscriber's channel's.
     *
     * @return the event loop.
     */
    EventLoop eventLoop();

    /**
     * The subscription started: {@link FeedSubscription#positions()} is where it starts. Called once, before any
     * record.
     *
     * @param subscription the subscription.
     */
    void onStart(FeedSubscription subscription);

    /**
     * A record to write (without flushing). The record is shared with every other subscriber: never mutate it.
     *
     * @param record       the record.
     * @param subscription the subscription; its positions are already past the record.
     */
    void onRecord(FeedRecord record, FeedSubscription subscription);

    /**
     * The end of a batch of records, or the buffer limit was reached: flush.
     */
    void onFlush();

    /**
     * The bytes written but not yet on the wire.
     *
     * @return the bytes waiting.
     */
    long backlogBytes();

    /**
     * The subscription ended: write the last words and close. Called at most once, never after
     * {@link FeedSubscription#cancel()}; called before {@link #onStart} if the subscription was refused.
     *
     * @param reason why.
     */
    void onClosed(FeedCloseReason reason);

    /**
     * The bytes a channel holds that are not on the wire yet, flushed or not: what {@link #backlogBytes()} answers
     * for a subscriber that writes to one channel.
     *
     * @param channel the channel.
     * @return the bytes waiting; 0 once the channel is closed.
     */
    static long channelBacklogBytes(final Channel channel)
    {
        final ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }
}
