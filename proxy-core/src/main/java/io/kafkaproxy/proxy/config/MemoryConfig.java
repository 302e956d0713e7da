package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code memory} section: the off-heap pool every frame lives in.
 *
 * @param poolSizeBytes       the hard budget for frame memory: reads pause, nothing fails, when it is spent.
 *                            Direct memory counts against the JVM's {@code -XX:MaxDirectMemorySize}, which must be
 *                            larger. Default 512MiB.
 * @param chunkSizeBytes      frames are carved from chunks of this size; a larger frame gets a block of its own.
 *                            A power of two, at least 64KiB. Default 64KiB: a frame held long pins only its
 *                            chunk, so small chunks keep held-back memory low (figures in the mempool package).
 * @param backing             {@code direct} (direct buffers, default) or {@code mappedFile} (a memory-mapped
 *                            temporary file: pages become resident only when used, and can be swapped).
 * @param mappedFileDirectory where the mapped file is created; default the system temporary directory.
 * @param frameTimeout        a client's frame holds pool memory for all its bytes from its first read on, so it must be
 *                            whole within this, plus the time its size takes at {@code minFrameBytesPerSecond};
 *                            else its connection closes and the memory is freed. Stops peers that announce a large
 *                            frame and never send it, or send a byte now and then. Default 30s; 0 disables.
 * @param minFrameBytesPerSecond the slowest sending rate a client's frame is given time for. Default 256KiB: a
 *                            100 MiB request gets 30 s + 400 s.
 */
public record MemoryConfig(
    long poolSizeBytes, int chunkSizeBytes, Backing backing, Path mappedFileDirectory, Duration frameTimeout,
    long minFrameBytesPerSecond)
{
    /** Default pool size. */
    public static final long DEFAULT_POOL_SIZE_BYTES = 512L << 20;
    /** Default chunk size. */
    public static final int DEFAULT_CHUNK_SIZE_BYTES = 64 << 10;
    /** Default time a client's frame gets to be whole, whatever its size. */
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);
    /** Default slowest rate a client's frame gets time for. */
    public static final long DEFAULT_MIN_FRAME_BYTES_PER_SECOND = 256L << 10;

    /**
     * Where the pool's memory comes from.
     */
    public enum Backing
    {
        /** Direct byte buffers. */
        DIRECT,
        /** A memory-mapped temporary file. */
        MAPPED_FILE
    }

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public MemoryConfig
    {
        if (chunkSizeBytes < 64 * 1024 || Integer.bitCount(chunkSizeBytes) != 1)
        {
            throw new IllegalArgumentException("memory.chunkSizeBytes: must be a power of two of at least 64KiB: " +
                Units.formatBytes(chunkSizeBytes));
        }
        if (poolSizeBytes < 4L * chunkSizeBytes)
        {
            throw new IllegalArgumentException("memory.poolSizeBytes: must hold at least four chunks of " +
                Units.formatBytes(chunkSizeBytes) + ": " + Units.formatBytes(poolSizeBytes));
        }
        if (backing == null)
        {
            throw new IllegalArgumentException("memory.backing: required");
        }
        if (mappedFileDirectory == null)
        {
            throw new IllegalArgumentException("memory.mappedFileDirectory: required");
        }
        if (frameTimeout == null || frameTimeout.isNegative())
        {
            throw new IllegalArgumentException("memory.frameTimeout: must not be negative: " + frameTimeout);
        }
        if (minFrameBytesPerSecond < 1)
        {
            throw new IllegalArgumentException("memory.minFrameBytesPerSecond: must be at least 1: " + minFrameBytesPerSecond);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param poolSizeBytes       a size, or null.
     * @param chunkSizeBytes      a size, or null.
     * @param backing             {@code direct} or {@code mappedFile}, or null.
     * @param mappedFileDirectory a directory, or null.
     * @return the section, with the default frame deadline.
     */
    public static MemoryConfig of(
        final String poolSizeBytes, final String chunkSizeBytes, final String backing, final String mappedFileDirectory)
    {
        return of(poolSizeBytes, chunkSizeBytes, backing, mappedFileDirectory, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param poolSizeBytes          a size, or null.
     * @param chunkSizeBytes         a size, or null.
     * @param backing                {@code direct} or {@code mappedFile}, or null.
     * @param mappedFileDirectory    a directory, or null.
     * @param frameTimeout           a duration, or null.
     * @param minFrameBytesPerSecond a size (per second), or null.
     * @return the section.
     */
    @JsonCreator
    public static MemoryConfig of(
        @JsonProperty("poolSizeBytes") final String poolSizeBytes,
        @JsonProperty("chunkSizeBytes") final String chunkSizeBytes,
        @JsonProperty("backing") final String backing,
        @JsonProperty("mappedFileDirectory") final String mappedFileDirectory,
        @JsonProperty("frameTimeout") final Duration frameTimeout,
        @JsonProperty("minFrameBytesPerSecond") final String minFrameBytesPerSecond)
    {
        return new MemoryConfig(
            poolSizeBytes == null ? DEFAULT_POOL_SIZE_BYTES : size("memory.poolSizeBytes", poolSizeBytes),
            chunkSizeBytes == null ? DEFAULT_CHUNK_SIZE_BYTES : (int)Math.min(Integer.MAX_VALUE, size("memory.chunkSizeBytes", chunkSizeBytes)),
            backing == null ? Backing.DIRECT : backing(backing),
            Path.of(mappedFileDirectory == null ? System.getProperty("java.io.tmpdir") : mappedFileDirectory),
            frameTimeout == null ? DEFAULT_FRAME_TIMEOUT : frameTimeout,
            minFrameBytesPerSecond == null ? DEFAULT_MIN_FRAME_BYTES_PER_SECOND :
                size("memory.minFrameBytesPerSecond", minFrameBytesPerSecond));
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static MemoryConfig defaults()
    {
        return of(null, null, null, null);
    }

    /**
     * The same section with another pool size.
     *
     * @param bytes the pool size.
     * @return the new section.
     */
    public MemoryConfig withPoolSizeBytes(final long bytes)
    {
        return new MemoryConfig(bytes, chunkSizeBytes, backing, mappedFileDirectory, frameTimeout, minFrameBytesPerSecond);
    }

    /**
     * Reads a size, naming where it came from when it is not one.
     *
     * @param path the YAML path or flag.
     * @param text the size.
     * @return the bytes.
     * @throws IllegalArgumentException naming the path.
     */
    public static long size(final String path, final String text)
    {
        try
        {
            return Units.parseBytes(text);
        }
        catch (final IllegalArgumentException | ArithmeticException e)
        {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private static Backing backing(final String text)
    {
        switch (text.toLowerCase(Locale.ROOT))
        {
            case "direct":
                return Backing.DIRECT;
            case "mappedfile":
                return Backing.MAPPED_FILE;
            default:
                throw new IllegalArgumentException("memory.backing: expected direct or mappedFile, got '" + text + "'");
        }
    }
}
