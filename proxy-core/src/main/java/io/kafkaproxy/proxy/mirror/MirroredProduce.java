package io.kafkaproxy.proxy.mirror;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The copy of one client Produce request for the shadow: one buffer of the mirror's slice holding the rewritten
 * record batches, and one entry per partition (topic, partition, where its batches lie in the buffer, how many
 * records they hold).
 *
 * <p>Built on the client's event loop by the tap, then handed to the sender's loop as the task that sends it
 * (a {@link Runnable}, so the hand-over allocates no lambda); from then on confined to the sender's loop.
 */
final class MirroredProduce implements Runnable
{
    private final MirrorSender sender;
    private final ByteBuf copy;
    private final long readNanos;
    private String[] topics;
    private int[] partitions;
    private int[] offsets;
    private int[] lengths;
    private int[] records;
    private int count;
    private long parkedNanos;

    MirroredProduce(final MirrorSender sender, final ByteBuf copy, final long readNanos, final int capacity)
    {
        this.sender = sender;
        this.copy = copy;
        this.readNanos = readNanos;
        this.topics = new String[capacity];
        this.partitions = new int[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.records = new int[capacity];
    }

    void add(final String topic, final int partition, final int offset, final int length, final int recordCount)
    {
        if (count == topics.length)
        {
            final int grown = Math.max(4, count * 2);
            topics = Arrays.copyOf(topics, grown);
            partitions = Arrays.copyOf(partitions, grown);
            offsets = Arrays.copyOf(offsets, grown);
            lengths = Arrays.copyOf(lengths, grown);
            records = Arrays.copyOf(records, grown);
        }
        topics[count] = topic;
        partitions[count] = partition;
        offsets[count] = offset;
        lengths[count] = length;
        records[count] = recordCount;
        count++;
    }

    @Override
    public void run()
    {
        sender.onProduce(this);
    }

    /**
     * Marks the copy as waiting for the shadow's metadata.
     *
     * @param nanos when it started waiting.
     */
    void park(final long nanos)
    {
        parkedNanos = nanos;
    }

    long parkedNanos()
    {
        return parkedNanos;
    }

    ByteBuf copy()
    {
        return copy;
    }

    long readNanos()
    {
        return readNanos;
    }

    int count()
    {
        return count;
    }

    String topic(final int i)
    {
        return topics[i];
    }

    int partition(final int i)
    {
        return partitions[i];
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    int length(final int i)
    {
        return lengths[i];
    }

    int records(final int i)
    {
        return records[i];
    }

    long totalRecords()
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += records[i];
        }
        return total;
    }

    long totalBytes()
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += lengths[i];
        }
        return total;
    }
}
