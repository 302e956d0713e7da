package io.kafkaproxy.proxy.gateway.stream;

import java.util.Arrays;
import java.util.List;

/**
 * The last records of each partition a feed has read, for subscribers that start or resume a little behind.
 *
 * <p>For each partition the window covers the offsets {@code [start, end)}: every record of the partition with an
 * offset in that range is in it (offsets without a record, such as transaction markers or compacted ones, are simply
 * absent), {@code end} is the next offset the feed will read, and {@code start} moves past each record that falls out.
 *
 * <p>Confined to the feed's thread.
 */
final class ReplayWindow
{
    private final int capacity;
    private Ring[] rings = new Ring[0];

    /**
     * An empty window.
     *
     * @param capacity records kept per partition.
     */
    ReplayWindow(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * Starts keeping a partition, empty, at the offset the feed reads next. Nothing if it is kept already.
     *
     * @param partition the partition.
     * @param position  the next offset the feed reads.
     */
    void addPartition(final int partition, final long position)
    {
        if (partition >= rings.length)
        {
            rings = Arrays.copyOf(rings, partition + 1);
        }
        if (rings[partition] == null)
        {
            rings[partition] = new Ring(capacity, position);
        }
    }

    /**
     * Whether a partition is kept.
     *
     * @param partition the partition.
     * @return true if kept.
     */
    boolean hasPartition(final int partition)
    {
        return partition < rings.length && rings[partition] != null;
    }

    /**
     * Appends a record the feed read, pushing out the oldest when full.
     *
     * @param record the record; its partition is kept.
     */
    void append(final FeedRecord record)
    {
        rings[record.partition()].append(record);
    }

    /**
     * Moves a partition's end to where the feed reads next (past offsets without records).
     *
     * @param partition the partition.
     * @param position  the next offset the feed reads.
     */
    void advanceTo(final int partition, final long position)
    {
        final Ring ring = rings[partition];
        // start stays: the offsets passed over held no record, so the window still covers them.
        ring.end = Math.max(ring.end, position);
    }

    /**
     * The first offset the window covers.
     *
     * @param partition the partition.
     * @return the offset.
     */
    long start(final int partition)
    {
        return rings[partition].start;
    }

    /**
     * The next offset the feed reads.
     *
     * @param partition the partition.
     * @return the offset.
     */
    long end(final int partition)
    {
        return rings[partition].end;
    }

    /**
     * Whether a subscriber at an offset can be served from the window (and the live feed after it).
     *
     * @param partition the partition.
     * @param offset    the next offset the subscriber needs.
     * @return true if {@code offset >= start}.
     */
    boolean covers(final int partition, final long offset)
    {
        return offset >= rings[partition].start;
    }

    /**
     * Adds the window's records of a partition from an offset on, oldest first.
     *
     * @param partition the partition.
     * @param offset    the first offset wanted.
     * @param to        where to add them.
     */
    void copyFrom(final int partition, final long offset, final List<FeedRecord> to)
    {
        final Ring ring = rings[partition];
        for (int i = 0; i < ring.size; i++)
        {
            final FeedRecord record = ring.records[(ring.head + i) % ring.records.length];
            if (record.offset() >= offset)
            {
                to.add(record);
            }
        }
    }

    /**
     * The records a partition holds now.
     *
     * @param partition the partition.
     * @return the count.
     */
    int size(final int partition)
    {
        return rings[partition].size;
    }

    private static final class Ring
    {
        private final FeedRecord[] records;
        private int head;
        private int size;
        private long start;
        private long end;

        Ring(final int capacity, final long position)
        {
            this.records = new FeedRecord[capacity];
            this.start = position;
            this.end = position;
        }

        void append(final FeedRecord record)
        {
            end = Math.max(end, record.offset() + 1);
            if (records.length == 0)
            {
                start = end;
                return;
            }
            if (size == records.length)
            {
                final FeedRecord evicted = records[head];
                records[head] = null;
                head = (head + 1) % records.length;
                size--;
                start = evicted.offset() + 1;
            }
            records[(head + size) % records.length] = record;
            size++;
        }
    }
}
