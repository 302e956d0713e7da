package io.kafkaproxy.proxy.gateway.stream;

import java.util.Map;

/**
 * Where a subscription starts: at the latest offset of each partition, at the earliest, or at given offsets.
 */
public sealed interface FeedStart permits FeedStart.Latest, FeedStart.Earliest, FeedStart.Offsets
{
    /**
     * Starts after the last record of each partition: only records produced from now on.
     *
     * @return the start.
     */
    static FeedStart latest()
    {
        return Latest.INSTANCE;
    }

    /**
     * Starts at the first record still in each partition.
     *
     * @return the start.
     */
    static FeedStart earliest()
    {
        return Earliest.INSTANCE;
    }

    /**
     * Starts at given offsets; partitions not named start at the latest offset.
     *
     * @param nextOffsetByPartition the next offset to deliver, by partition.
     * @return the start.
     * @throws IllegalArgumentException if a partition or an offset is negative.
     */
    static FeedStart offsets(final Map<Integer, Long> nextOffsetByPartition)
    {
        return new Offsets(nextOffsetByPartition);
    }

    /**
     * The latest offsets.
     */
    enum Latest implements FeedStart
    {
        /** The one instance. */
        INSTANCE
    }

    /**
     * The earliest offsets.
     */
    enum Earliest implements FeedStart
    {
        /** The one instance. */
        INSTANCE
    }

    /**
     * Given offsets.
     *
     * @param nextOffsetByPartition the next offset to deliver, by partition; partitions not named start at the latest.
     */
    record Offsets(Map<Integer, Long> nextOffsetByPartition) implements FeedStart
    {
        /**
         * Checks and copies the offsets.
         *
         * @throws IllegalArgumentException if a partition or an offset is negative.
         */
        public Offsets
        {
            nextOffsetByPartition = Map.copyOf(nextOffsetByPartition);
            for (final Map.Entry<Integer, Long> entry : nextOffsetByPartition.entrySet())
            {
                if (entry.getKey() < 0 || entry.getValue() < 0)
                {
                    throw new IllegalArgumentException("negative partition or offset: partition=" + entry.getKey()
                        + ", offset=" + entry.getValue());
                }
            }
        }
    }
}
