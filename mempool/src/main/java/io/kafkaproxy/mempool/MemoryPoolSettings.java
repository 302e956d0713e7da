package io.kafkaproxy.mempool;

import java.nio.file.Path;

/**
 * How much off-heap memory a {@link MemoryPool} may use, and how it carves it.
 *
 * @param budgetBytes         the hard limit on off-heap memory the pool holds, in use and cached together.
 * @param chunkSizeBytes      the size of the chunks regions are carved from; a region larger than a chunk gets a
 *                            block of its own (a fallback allocation), rounded up to whole chunks.
 * @param backing             where the memory comes from.
 * @param mappedFileDirectory where the backing file of {@link Backing#MAPPED_FILE} is created; ignored otherwise.
 */
public record MemoryPoolSettings(long budgetBytes, int chunkSizeBytes, Backing backing, Path mappedFileDirectory)
{
    /** The smallest chunk: below this the bookkeeping per chunk outweighs the memory. */
    public static final int MIN_CHUNK_SIZE_BYTES = 64 * 1024;

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
        if (budgetBytes < 2L * chunkSizeBytes)
        {
            throw new IllegalArgumentException("budget must hold at least two chunks: budgetBytes=" + budgetBytes +
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
     * Direct-buffer settings.
     *
     * @param budgetBytes    the hard limit.
     * @param chunkSizeBytes the chunk size.
     * @return the settings.
     */
    public static MemoryPoolSettings direct(final long budgetBytes, final int chunkSizeBytes)
    {
        return new MemoryPoolSettings(budgetBytes, chunkSizeBytes, Backing.DIRECT, null);
    }
}
