package io.kafkaproxy.bench;

import java.util.SplittableRandom;

/**
 * The frames a proxy in front of producers and consumers handles, by size, and how long they live: the workload
 * the frame-mix benchmark and the hold-back simulation share.
 *
 * <p>Per 100 frames: 50 small ones of 64 to 512 bytes (fetch requests, produce responses, heartbeats, metadata,
 * offset commits), 30 produce requests of 1 to 16 KiB (producers at the default {@code batch.size}), 15 fetch
 * responses of 16 to 256 KiB, and 5 full fetch responses of one partition at the default
 * {@code max.partition.fetch.bytes}: 1 MiB of records plus about 200 bytes of headers, just over a chunk.
 *
 * <p>Most frames are released after the 32 frames that follow them (requests in flight across connections);
 * one in a hundred belongs to a slow connection and is released only after {@link #SLOW_HOLD_FRAMES} more.
 * Deterministic: the same seed gives the same frames.
 */
final class FrameMix
{
    /** Frames in flight at any time, from all connections; each is released when this many more were made. */
    static final int IN_FLIGHT = 32;
    /** How many frames later a slow connection's frame is released. */
    static final int SLOW_HOLD_FRAMES = 4096;
    /** One frame in this many is a slow connection's. */
    static final int SLOW_ONE_IN = 100;
    /** A full partition's fetch response: 1 MiB of records and its headers. */
    static final int FULL_FETCH_RESPONSE_BYTES = (1 << 20) + 200;

    private FrameMix()
    {
    }

    /**
     * Frame sizes, drawn from the mix.
     *
     * @param seed  the seed.
     * @param count how many.
     * @return the sizes.
     */
    static int[] sizes(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            final int kind = random.nextInt(100);
            sizes[i] = kind < 50 ? random.nextInt(64, 513) :
                kind < 80 ? random.nextInt(1024, 16 * 1024 + 1) :
                kind < 95 ? random.nextInt(16 * 1024, 256 * 1024 + 1) :
                FULL_FETCH_RESPONSE_BYTES;
        }
        return sizes;
    }

    /**
     * Which frames belong to a slow connection.
     *
     * @param seed  the seed.
     * @param count how many frames.
     * @return true for a slow connection's frame.
     */
    static boolean[] slow(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        final boolean[] slow = new boolean[count];
        for (int i = 0; i < count; i++)
        {
            slow[i] = random.nextInt(SLOW_ONE_IN) == 0;
        }
        return slow;
    }
}
