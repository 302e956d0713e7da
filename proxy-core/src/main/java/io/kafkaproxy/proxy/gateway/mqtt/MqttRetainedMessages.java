package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.stream.FeedCloseReason;
import io.kafkaproxy.proxy.gateway.stream.FeedRecord;
import io.kafkaproxy.proxy.gateway.stream.FeedStart;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscriber;
import io.kafkaproxy.proxy.gateway.stream.FeedSubscription;
import io.kafkaproxy.proxy.gateway.stream.TopicFeeds;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The table of retained messages: {@code mqtt.retainedTopic} (compacted, key = MQTT topic, an empty value or a
 * tombstone removes the topic's message) read from its start through the shared fan-out when the listener starts,
 * and followed, so that a retained PUBLISH is in the table once Kafka has it.
 *
 * <p>A topic that does not exist (yet) is asked for again every few seconds, with one ERROR line: the listener serves
 * meanwhile, without retained messages. Written on one event loop (the feed's callbacks), read from every
 * connection's: a concurrent map of immutable records.
 */
final class MqttRetainedMessages implements FeedSubscriber
{
    private static final Logger LOGGER = LoggerFactory.getLogger(MqttRetainedMessages.class);

    private static final long RETRY_SECONDS = 5;

    private final TopicFeeds feeds;
    private final String retainedTopic;
    private final EventLoop eventLoop;
    private final Map<String, FeedRecord> messages = new ConcurrentHashMap<>();
    private volatile FeedSubscription subscription;
    private volatile boolean closed;
    private boolean reported;

    private MqttRetainedMessages(final TopicFeeds feeds, final String retainedTopic, final EventLoop eventLoop)
    {
        this.feeds = feeds;
        this.retainedTopic = retainedTopic;
        this.eventLoop = eventLoop;
    }

    /**
     * Starts reading the retained topic.
     *
     * @param feeds         the cluster's fan-out.
     * @param retainedTopic {@code mqtt.retainedTopic}.
     * @param eventLoop     where the table is written.
     * @return the table, filling.
     */
    static MqttRetainedMessages start(final TopicFeeds feeds, final String retainedTopic, final EventLoop eventLoop)
    {
        final MqttRetainedMessages table = new MqttRetainedMessages(feeds, retainedTopic, eventLoop);
        table.follow();
        return table;
    }

    /**
     * The retained messages whose MQTT topic a filter matches.
     *
     * @param filter the subscription's filter.
     * @return the messages, keyed by MQTT topic in the record's key.
     */
    List<FeedRecord> matching(final MqttTopicFilter filter)
    {
        final List<FeedRecord> matching = new ArrayList<>();
        for (final Map.Entry<String, FeedRecord> entry : messages.entrySet())
        {
            if (filter.matches(entry.getKey()))
            {
                matching.add(entry.getValue());
            }
        }
        return matching;
    }

    private void follow()
    {
        if (!closed)
        {
            // Read again from the start: a compacted topic holds the latest message of every MQTT topic.
            messages.clear();
            subscription = feeds.subscribe(retainedTopic, FeedStart.earliest(), this);
        }
    }

    /**
     * Stops following the topic.
     */
    void close()
    {
        closed = true;
        final FeedSubscription current = subscription;
        if (current != null)
        {
            current.cancel();
        }
    }

    @Override
    public EventLoop eventLoop()
    {
        return eventLoop;
    }

    @Override
    public void onStart(final FeedSubscription started)
    {
        LOGGER.atInfo().addKeyValue("topic", retainedTopic).log("MQTT retained messages followed");
    }

    @Override
    public void onRecord(final FeedRecord record, final FeedSubscription from)
    {
        if (record.key() == null)
        {
            return;
        }
        final String mqttTopic = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null || record.value().length == 0)
        {
            messages.remove(mqttTopic);
        }
        else
        {
            messages.put(mqttTopic, record);
        }
    }

    @Override
    public void onFlush()
    {
    }

    @Override
    public long backlogBytes()
    {
        return 0;
    }

    @Override
    public void onClosed(final FeedCloseReason reason)
    {
        if (reason == FeedCloseReason.SHUTDOWN || closed)
        {
            return;
        }
        if (!reported)
        {
            reported = true;
            LOGGER.atError()
                .addKeyValue("topic", retainedTopic)
                .addKeyValue("error", reason.label())
                .log("MQTT retained messages cannot be read: mqtt.retainedTopic must name an existing compacted topic; trying again");
        }
        eventLoop.schedule(this::follow, RETRY_SECONDS, TimeUnit.SECONDS);
    }
}
