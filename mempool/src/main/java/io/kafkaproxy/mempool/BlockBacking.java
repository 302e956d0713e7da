package io.kafkaproxy.mempool;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where blocks come from and go back to: the operating system, through direct buffers or a mapped file.
 *
 * <p>Called only when the pool reserves or evicts a block, never per region; the mapped implementation
 * synchronizes, the direct one needs not.
 */
abstract class BlockBacking implements AutoCloseable
{
    /**
     * Reserves fresh memory.
     *
     * @param bytes the block size, a whole number of chunks.
     * @param chunks how many chunks that is.
     * @return the block.
     */
    abstract Block allocate(int bytes, int chunks);

    /**
     * Gives a block's memory back to the operating system.
     *
     * @param block a block this backing allocated and nobody uses any more.
     */
    abstract void free(Block block);

    @Override
    public abstract void close();

    static BlockBacking of(final MemoryPoolSettings settings)
    {
        return settings.backing() == MemoryPoolSettings.Backing.DIRECT ? new Direct() : new MappedFile(settings.mappedFileDirectory());
    }

    /**
     * Direct byte buffers, freed eagerly rather than left to the garbage collector.
     */
    private static final class Direct extends BlockBacking
    {
        @Override
        Block allocate(final int bytes, final int chunks)
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
            return new Block(buffer, BufferUtil.address(buffer), chunks, -1);
        }

        @Override
        void free(final Block block)
        {
            BufferUtil.free(block.byteBuffer());
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * One sparse temporary file, unlinked once open, each block mapping its own range of it. The range of a
     * freed block is reused by the next block of the same size, so the file never grows past the budget.
     */
    private static final class MappedFile extends BlockBacking
    {
        private final FileChannel channel;
        private final Map<Integer, ArrayDeque<Long>> freeRanges = new HashMap<>();
        private long nextOffset;

        MappedFile(final Path directory)
        {
            try
            {
                Files.createDirectories(directory);
                final Path file = Files.createTempFile(directory, "kafka-proxy-pool", ".mem");
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                // Unlinked at once: the mappings keep the memory, and nothing is left behind after a crash.
                Files.delete(file);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot create the pool's backing file in " + directory, e);
            }
        }

        @Override
        synchronized Block allocate(final int bytes, final int chunks)
        {
            final ArrayDeque<Long> ranges = freeRanges.get(bytes);
            final long offset;
            if (ranges != null && !ranges.isEmpty())
            {
                offset = ranges.poll();
            }
            else
            {
                offset = nextOffset;
                nextOffset += bytes;
            }
            try
            {
                final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, offset, bytes);
                return new Block(buffer, BufferUtil.address(buffer), chunks, offset);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot map pool memory: offset=" + offset + ", bytes=" + bytes, e);
            }
        }

        @Override
        synchronized void free(final Block block)
        {
            IoUtil.unmap(block.byteBuffer());
            freeRanges.computeIfAbsent(block.capacity(), size -> new ArrayDeque<>()).add(block.fileOffset());
        }

        @Override
        public synchronized void close()
        {
            try
            {
                channel.close();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }
    }
}
