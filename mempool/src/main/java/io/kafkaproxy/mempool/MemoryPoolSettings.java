package io.kafkaproxy.mempool;

import java.nio.file.Path;

/**
 * How much off-heap memory a {@link MemoryPool} may use, and how it carves it.
 *
 * @param budgetBytes         the hard limit on off-heap memory the pool holds, in use and cached together.
 * @param chunkSizeBytes      the size of the chunks regions are carved from; a region larger than a chunk gets a
 *                            block of its own (a fallback allocation), rounded up to whole chunks.
 * @param readReserveBytes    what each allocator sets aside for reads the pool refuses, a whole number of chunks;
 *                            {@link #defaultReadReserveBytes} unless the pool is tiny (tests).
 * @param backing             where the memory comes from.
 * @param mappedFileDirectory where the backing file of {@link Backing#MAPPED_FILE} is created; ignored otherwise.
 */
public record MemoryPoolSettings(long budgetBytes, int chunkSizeBytes, int readReserveBytes, Backing backing, Path mappedFileDirectory)
{
    /** The smallest chunk: below this the bookkeeping per chunk outweighs the memory. */
    public static final int MIN_CHUNK_SIZE_BYTES = 64 * 1024;
    /**
     * The read reserve each allocator keeps by default, unless chunks are larger: enough for thousands of small
     * emergency reads, one per ready channel of its event loop (see {@link RegionAllocator#allocateReadBuffer}).
     */
    public static final int DEFAULT_READ_RESERVE_BYTES = 1024 * 1024;

    /**
     * Where a pool's memory comes from.
     */
    public enum Backing
    {
        /** Direct byte buffers: anonymous memory, zeroed and resident once allocated. */
        DIRECT,
        /** A memory-mapped temporary file: pages are only resident once touched, and can be swapped. */
        MAPPED_FILE
    }

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the bad value.
     */
    public MemoryPoolSettings
    {
        if (chunkSizeBytes < MIN_CHUNK_SIZE_BYTES || Integer.bitCount(chunkSizeBytes) != 1)
        {
            throw new IllegalArgumentException("chunk size must be a power of two of at least " + MIN_CHUNK_SIZE_BYTES +
                ": chunkSizeBytes=" + chunkSizeBytes);
        }
        if (readReserveBytes < chunkSizeBytes || readReserveBytes % chunkSizeBytes != 0)
        {
            throw new IllegalArgumentException("read reserve must be a whole number of chunks: readReserveBytes=" +
                readReserveBytes + ", chunkSizeBytes=" + chunkSizeBytes);
        }
        if (budgetBytes < 2L * chunkSizeBytes + readReserveBytes)
        {
            throw new IllegalArgumentException("budget must hold a read reserve and two chunks: budgetBytes=" + budgetBytes +
                ", chunkSizeBytes=" + chunkSizeBytes);
        }
        if (backing == null)
        {
            throw new IllegalArgumentException("backing must be set");
        }
        if (backing == Backing.MAPPED_FILE && mappedFileDirectory == null)
        {
            throw new IllegalArgumentException("a mapped-file pool needs a directory for its file");
        }
    }

    /**
     * The read reserve for a chunk size: {@link #DEFAULT_READ_RESERVE_BYTES}, or one chunk if chunks are larger.
     * A whole number of chunks, as both are powers of two.
     *
     * @param chunkSizeBytes the chunk size.
     * @return the read reserve of one allocator, in bytes.
     */
    public static int defaultReadReserveBytes(final int chunkSizeBytes)
    {
        return Math.max(chunkSizeBytes, DEFAULT_READ_RESERVE_BYTES);
    }


    /**
     * Direct-buffer settings.
     *
     * @param budgetBytes    the hard limit.
     * @param chunkSizeBytes the chunk size.
     * @return the settings.
     */
    public static MemoryPoolSettings direct(final long budgetBytes, final int chunkSizeBytes)
    {
        return direct(budgetBytes, chunkSizeBytes, defaultReadReserveBytes(chunkSizeBytes));
    }

    /**
     * Direct-buffer settings with a read reserve of its own, for pools too small for the default one.
     *
     * @param budgetBytes      the hard limit.
     * @param chunkSizeBytes   the chunk size.
     * @param readReserveBytes each allocator's read reserve, a whole number of chunks.
     * @return the settings.
     */
    public static MemoryPoolSettings direct(final long budgetBytes, final int chunkSizeBytes, final int readReserveBytes)
    {
        return new MemoryPoolSettings(budgetBytes, chunkSizeBytes, readReserveBytes, Backing.DIRECT, null);
    }
}
