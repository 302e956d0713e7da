package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.netty.buffer.ByteBuf;

/**
 * One request of the mirror to a shadow broker: its frame until written, and what its answer settles (for a
 * Produce request: the partitions it carries and their record counts and bytes).
 *
 * <p>Confined to the sender's event loop.
 */
final class ShadowRequest
{
    private final short apiKey;
    private final short apiVersion;
    private final int correlationId;
    private final boolean expectsResponse;
    private final long readNanos;
    private final String[] topics;
    private final int[] partitions;
    private final int[] records;
    private final long bytes;
    private ByteBuf frame;
    private long sentNanos;

    ShadowRequest(
        final short apiKey, final short apiVersion, final int correlationId, final boolean expectsResponse, final ByteBuf frame,
        final long readNanos, final String[] topics, final int[] partitions, final int[] records, final long bytes)
    {
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
        this.expectsResponse = expectsResponse;
        this.frame = frame;
        this.readNanos = readNanos;
        this.topics = topics;
        this.partitions = partitions;
        this.records = records;
        this.bytes = bytes;
    }

    static ShadowRequest metadata(final short apiVersion, final int correlationId, final ByteBuf frame)
    {
        return new ShadowRequest(ApiKeyIds.METADATA, apiVersion, correlationId, true, frame, 0, new String[0], new int[0],
            new int[0], 0);
    }

    short apiKey()
    {
        return apiKey;
    }

    short apiVersion()
    {
        return apiVersion;
    }

    int correlationId()
    {
        return correlationId;
    }

    boolean expectsResponse()
    {
        return expectsResponse;
    }

    long readNanos()
    {
        return readNanos;
    }

    long sentNanos()
    {
        return sentNanos;
    }

    void sentNanos(final long nanos)
    {
        sentNanos = nanos;
    }

    /**
     * Hands the frame over to be written; a request not written releases it with {@link #release()}.
     *
     * @return the frame; ownership moves to the caller.
     */
    ByteBuf takeFrame()
    {
        final ByteBuf taken = frame;
        frame = null;
        return taken;
    }

    void release()
    {
        if (frame != null)
        {
            frame.release();
            frame = null;
        }
    }

    int partitionCount()
    {
        return partitions.length;
    }

    String topic(final int i)
    {
        return topics[i];
    }

    int partition(final int i)
    {
        return partitions[i];
    }

    int records(final int i)
    {
        return records[i];
    }

    long totalRecords()
    {
        long total = 0;
        for (final int count : records)
        {
            total += count;
        }
        return total;
    }

    long bytes()
    {
        return bytes;
    }
}
