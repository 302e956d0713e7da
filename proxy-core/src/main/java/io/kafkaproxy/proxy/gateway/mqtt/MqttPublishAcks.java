package io.kafkaproxy.proxy.gateway.mqtt;

/**
 * The acknowledgements a connection owes its client for QoS 1 and 2 PUBLISH packets, released in the order the packets
 * arrived, whatever order Kafka acknowledges them in (MQTT 3.1.1 section 4.6: PUBACK and PUBREC in the order of the
 * PUBLISH packets).
 *
 * <p>A ring of packed {@code long}s (packet id, kind, reason code, done), grown by doubling, so that a connection with
 * nothing in flight holds one small array and an acknowledgement allocates nothing. Confined to the connection's
 * event loop.
 */
final class MqttPublishAcks
{
    /** The acknowledgement is a PUBACK (QoS 1). */
    static final int PUBACK = 1;
    /** The acknowledgement is a PUBREC (QoS 2). */
    static final int PUBREC = 2;

    private static final int INITIAL_CAPACITY = 4;
    private static final long DONE = 1L << 32;

    private long[] ring = new long[INITIAL_CAPACITY];
    private long head;
    private long tail;

    /**
     * What writes a released acknowledgement.
     */
    @FunctionalInterface
    interface AckWriter
    {
        /**
         * Writes one acknowledgement (without flushing).
         *
         * @param packetId   the PUBLISH's packet id.
         * @param kind       {@link #PUBACK} or {@link #PUBREC}.
         * @param reasonCode the MQTT 5 reason code; 0 for success.
         */
        void write(int packetId, int kind, int reasonCode);
    }

    /**
     * Queues an acknowledgement not yet due.
     *
     * @param packetId the PUBLISH's packet id, 1 to 65535.
     * @param kind     {@link #PUBACK} or {@link #PUBREC}.
     * @return its sequence number, for {@link #complete}.
     */
    long add(final int packetId, final int kind)
    {
        if (tail - head == ring.length)
        {
            grow();
        }
        final long sequence = tail++;
        ring[index(sequence)] = ((long)kind << 24) | packetId;
        return sequence;
    }

    /**
     * Marks an acknowledgement due; it is written once every earlier one is.
     *
     * @param sequence   what {@link #add} returned.
     * @param reasonCode the MQTT 5 reason code; 0 for success.
     */
    void complete(final long sequence, final int reasonCode)
    {
        if (sequence < head || sequence >= tail)
        {
            return;
        }
        final int index = index(sequence);
        ring[index] = (ring[index] & 0xFF_FFFFL) | ((long)(reasonCode & 0xFF) << 40) | DONE | (ring[index] & 0xFF00_0000L);
    }

    /**
     * Writes every acknowledgement due at the head of the queue, in order.
     *
     * @param writer writes each.
     * @return how many were written.
     */
    int release(final AckWriter writer)
    {
        int released = 0;
        while (head < tail)
        {
            final long entry = ring[index(head)];
            if ((entry & DONE) == 0)
            {
                break;
            }
            head++;
            writer.write((int)(entry & 0xFFFF), (int)((entry >>> 24) & 0xFF), (int)((entry >>> 40) & 0xFF));
            released++;
        }
        if (head == tail && ring.length > INITIAL_CAPACITY * 16)
        {
            // A burst is over: an idle session should not keep its peak's ring.
            ring = new long[INITIAL_CAPACITY];
            head = 0;
            tail = 0;
        }
        return released;
    }

    /**
     * How many acknowledgements are owed.
     *
     * @return the count.
     */
    int pending()
    {
        return (int)(tail - head);
    }

    private int index(final long sequence)
    {
        return (int)(sequence & (ring.length - 1));
    }

    private void grow()
    {
        final long[] grown = new long[ring.length * 2];
        for (long sequence = head; sequence < tail; sequence++)
        {
            grown[(int)(sequence & (grown.length - 1))] = ring[index(sequence)];
        }
        ring = grown;
    }
}
