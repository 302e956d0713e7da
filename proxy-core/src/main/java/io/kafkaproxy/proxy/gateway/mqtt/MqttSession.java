package io.kafkaproxy.proxy.gateway.mqtt;

import org.agrona.collections.IntHashSet;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one MQTT client identifier that outlives a connection: the QoS 2 packet ids whose PUBREC was sent and
 * whose PUBREL has not come, and (for subscriptions) what the client follows and where it stopped.
 *
 * <p>Kept small (an idle session costs a few hundred bytes): the sets are created on first use. The connection that
 * owns the session ({@link MqttSessions#attach}) is the only one to touch its state, on its event loop; a taking-over
 * connection waits for the previous owner's channel to close first, and Netty's task hand-off between the two loops
 * orders the writes of one before the reads of the other. The QoS 2 ids are the exception: the producer's callback of
 * a record the previous owner sent may release one after the takeover, from that owner's loop, so those two methods
 * lock (uncontended but for that moment).
 */
final class MqttSession
{
    private final String clientId;
    private final boolean persistent;
    private IntHashSet awaitingRelease;
    private Map<String, Integer> subscriptions;
    private Map<String, Map<Integer, Long>> positions;

    /**
     * A new, empty session.
     *
     * @param clientId   the client identifier.
     * @param persistent whether it outlives its connection (3.1.1 clean session 0; 5.0 a session expiry interval).
     */
    MqttSession(final String clientId, final boolean persistent)
    {
        this.clientId = clientId;
        this.persistent = persistent;
    }

    /**
     * The client identifier.
     *
     * @return the id.
     */
    String clientId()
    {
        return clientId;
    }

    /**
     * Whether the session outlives its connection.
     *
     * @return true for a persistent session.
     */
    boolean persistent()
    {
        return persistent;
    }

    /**
     * Records a QoS 2 packet id as received: a duplicate PUBLISH with that id is not written to Kafka again until the
     * client releases it.
     *
     * @param packetId the id.
     * @return false if the id was already held (the PUBLISH is a duplicate).
     */
    synchronized boolean holdQos2(final int packetId)
    {
        if (awaitingRelease == null)
        {
            awaitingRelease = new IntHashSet(8);
        }
        return awaitingRelease.add(packetId);
    }

    /**
     * Forgets a QoS 2 packet id: on PUBREL, or when its write to Kafka failed (the client may send it again).
     *
     * @param packetId the id.
     * @return true if the id was held.
     */
    synchronized boolean releaseQos2(final int packetId)
    {
        if (awaitingRelease == null)
        {
            return false;
        }
        final boolean held = awaitingRelease.remove(packetId);
        if (awaitingRelease.isEmpty())
        {
            awaitingRelease = null;
        }
        return held;
    }

    /**
     * The topic filters subscribed to, with their granted QoS, in the order subscribed. Owner's event loop only.
     *
     * @return the filters; empty when none (a live view).
     */
    Map<String, Integer> subscriptions()
    {
        return subscriptions == null ? Map.of() : subscriptions;
    }

    /**
     * Records a subscription (replacing one of the same filter).
     *
     * @param filter the topic filter.
     * @param qos    the granted QoS.
     */
    void subscribe(final String filter, final int qos)
    {
        if (subscriptions == null)
        {
            subscriptions = new LinkedHashMap<>(4);
        }
        subscriptions.put(filter, qos);
    }

    /**
     * Forgets a subscription.
     *
     * @param filter the topic filter.
     * @return true if it was subscribed.
     */
    boolean unsubscribe(final String filter)
    {
        final boolean removed = subscriptions != null && subscriptions.remove(filter) != null;
        if (subscriptions != null && subscriptions.isEmpty())
        {
            subscriptions = null;
        }
        return removed;
    }

    /**
     * Where delivery of a Kafka topic resumes: the next offset per partition not yet acknowledged by the client.
     *
     * @param kafkaTopic the topic.
     * @return the positions, or null to start at the latest.
     */
    Map<Integer, Long> positions(final String kafkaTopic)
    {
        return positions == null ? null : positions.get(kafkaTopic);
    }

    /**
     * Keeps where delivery of a Kafka topic stopped, or forgets it.
     *
     * @param kafkaTopic the topic.
     * @param next       the next offset per partition; null to forget.
     */
    void keepPositions(final String kafkaTopic, final Map<Integer, Long> next)
    {
        if (next == null)
        {
            if (positions != null)
            {
                positions.remove(kafkaTopic);
            }
            return;
        }
        if (positions == null)
        {
            positions = new HashMap<>(4);
        }
        positions.put(kafkaTopic, Map.copyOf(next));
    }
}
