package io.kafkaproxy.proxy.gateway.mqtt;

import io.netty.channel.Channel;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT sessions of the proxy, keyed by client identifier, in memory while the proxy runs.
 *
 * <p>A CONNECT {@link #attach attaches} its connection to the client id's session: a clean start (or a clean session)
 * begins a new one; otherwise the existing one is resumed. A connection already attached to that id is returned so
 * that the new one closes it and waits (MQTT 3.1.1 section 3.1.4: the server disconnects the existing client). A
 * connection that ends {@link #detach detaches}: a session that is not persistent ends with it, a persistent one
 * lives on for its expiry interval, then is removed unless a connection attached to it meanwhile.
 *
 * <p>Called from every I/O loop: the map is concurrent and each entry's transitions happen inside
 * {@link ConcurrentHashMap#compute}, under the entry's lock.
 */
final class MqttSessions
{
    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();

    /**
     * What a CONNECT found.
     *
     * @param session        the session the connection now owns.
     * @param sessionPresent whether it was resumed (CONNACK's session present flag).
     * @param previousOwner  the channel of the connection that owned it until now, to close; null if none.
     */
    record Attachment(MqttSession session, boolean sessionPresent, Channel previousOwner)
    {
    }

    private static final class Entry
    {
        private final MqttSession session;
        private Channel owner;
        private long generation;

        Entry(final MqttSession session)
        {
            this.session = session;
        }
    }

    /**
     * Attaches a connection to a client id's session.
     *
     * @param clientId   the client identifier.
     * @param cleanStart whether to discard an existing session.
     * @param persistent whether the session outlives its connection.
     * @param channel    the connection's channel.
     * @return the session and, if another connection owned it, that connection's channel.
     */
    Attachment attach(final String clientId, final boolean cleanStart, final boolean persistent, final Channel channel)
    {
        final Attachment[] result = new Attachment[1];
        sessions.compute(clientId, (id, existing) ->
        {
            final Channel previousOwner = existing == null ? null : existing.owner;
            final Entry entry;
            if (existing == null || cleanStart || !existing.session.persistent())
            {
                entry = new Entry(new MqttSession(id, persistent));
                result[0] = new Attachment(entry.session, false, previousOwner);
            }
            else
            {
                entry = existing;
                result[0] = new Attachment(entry.session, true, previousOwner);
            }
            entry.owner = channel;
            entry.generation++;
            return entry;
        });
        return result[0];
    }

    /**
     * Detaches a connection that ended; does nothing if another connection took the session over.
     *
     * @param session the session the connection owned.
     * @param channel the connection's channel.
     * @param expiry  how long a persistent session outlives the connection; zero ends it now.
     */
    void detach(final MqttSession session, final Channel channel, final Duration expiry)
    {
        final long[] generation = {-1};
        sessions.computeIfPresent(session.clientId(), (id, entry) ->
        {
            if (entry.session != session || entry.owner != channel)
            {
                return entry;
            }
            entry.owner = null;
            if (!session.persistent() || expiry.isZero())
            {
                return null;
            }
            generation[0] = entry.generation;
            return entry;
        });
        if (generation[0] >= 0)
        {
            channel.eventLoop().schedule(() -> expire(session, generation[0]), expiry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Whether a client id has a session.
     *
     * @param clientId the client identifier.
     * @return true when held.
     */
    boolean contains(final String clientId)
    {
        return sessions.containsKey(clientId);
    }

    private void expire(final MqttSession session, final long generation)
    {
        sessions.computeIfPresent(session.clientId(), (id, entry) ->
            entry.session == session && entry.owner == null && entry.generation == generation ? null : entry);
    }
}
