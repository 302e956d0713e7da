package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.records.RecordBatchFlyweight;
import io.kafkaproxy.protocol.records.ShadowBatchRewriter;
import io.kafkaproxy.protocol.requests.ProducePartitionsFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.policy.TopicIdNames;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The mirror's tap: copies the record batches of each Produce request's mirrored topics into the mirror's memory
 * slice, rewritten for the shadow ({@link ShadowBatchRewriter}: a few header fields and the CRC adjusted, not
 * recomputed), and hands the copy to the {@link MirrorSender}.
 *
 * <p>Two walks over the request, both by header only: the first finds the mirrored topics (by name, or by the id a
 * Metadata response taught the proxy; an id not learnt is dropped and counted) and sums their record bytes, the
 * bound of the copy; the second copies the batches that can be mirrored (magic v2, not control), skipping the rest:
 * control batches silently, legacy-magic entries counted as dropped. One buffer of the slice holds the whole copy;
 * when the slice is spent, or the sender reports the shadow unreachable, nothing is copied and the records are
 * counted as dropped. The client's request is never touched: the copy is made from a duplicate, after the request
 * went to the broker link, and any failure here is the mirror's alone (counted, logged at DEBUG).
 *
 * <p>Shared by the client event loops: each keeps its flyweights in a {@link FastThreadLocal}.
 */
final class ShadowCopyTap implements MirrorTap
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ShadowCopyTap.class);

    private final MirrorTopicMatcher topics;
    private final TopicIdNames topicIds;
    private final PoolByteBufAllocator slice;
    private final MirrorSender sender;
    private final MirrorMetrics metrics;
    private final FastThreadLocal<Walk> walks = new FastThreadLocal<>()
    {
        @Override
        protected Walk initialValue()
        {
            return new Walk();
        }
    };

    ShadowCopyTap(
        final MirrorTopicMatcher topics, final TopicIdNames topicIds, final PoolByteBufAllocator slice,
        final MirrorSender sender, final MirrorMetrics metrics)
    {
        this.topics = topics;
        this.topicIds = topicIds;
        this.slice = slice;
        this.sender = sender;
        this.metrics = metrics;
    }

    @Override
    public boolean mirrors()
    {
        return true;
    }

    @Override
    public void onProduce(final ByteBuf request, final short apiVersion, final long readNanos)
    {
        try
        {
            if (ByteBufViews.isContiguous(request))
            {
                walks.get().copy(request, apiVersion, readNanos);
            }
        }
        catch (final RuntimeException e)
        {
            // A request the broker will judge; the mirror only skips it.
            if (LOGGER.isDebugEnabled())
            {
                LOGGER.atDebug().addKeyValue("apiVersion", apiVersion).addKeyValue("error", e.toString())
                    .log("produce request not mirrored");
            }
        }
        finally
        {
            request.release();
        }
    }

    /**
     * One thread's flyweights and the mirrored topics of the request at hand.
     */
    private final class Walk
    {
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer copyView = new UnsafeBuffer(0, 0);
        private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
        private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
        private final ProducePartitionsFlyweight partitions = new ProducePartitionsFlyweight();
        private final RecordBatchFlyweight batches = new RecordBatchFlyweight();
        private final ShadowBatchRewriter rewriter = new ShadowBatchRewriter();
        private final MirrorTopicMatcher.NameCache names = topics.new NameCache();
        private String[] topicNames = new String[8];
        private int[] entryOffsets = new int[8];
        private int[] entryLengths = new int[8];

        void copy(final ByteBuf request, final short apiVersion, final long readNanos)
        {
            ByteBufViews.wrapReadable(view, request);
            header.wrap(view, FrameDescriptor.MESSAGE_OFFSET, view.capacity() - FrameDescriptor.MESSAGE_OFFSET);
            produce.wrap(view, header.bodyOffset(), header.bodyLength(), apiVersion);
            int mirrored = 0;
            long bound = 0;
            int partitionCount = 0;
            while (produce.nextTopic())
            {
                final String name = topicName();
                if (name == null)
                {
                    metrics.onDropped(countRecords(apiVersion, produce.topicEntryOffset(), produce.topicEntryLength()));
                    continue;
                }
                if (name.isEmpty())
                {
                    continue;
                }
                remember(mirrored++, name, produce.topicEntryOffset(), produce.topicEntryLength());
                bound += produce.recordBytes();
                partitionCount += produce.partitionCount();
            }
            if (mirrored == 0 || bound == 0)
            {
                return;
            }
            final ByteBuf copy = sender.accepting() && bound <= Integer.MAX_VALUE ? slice.tryDirectBuffer((int)bound) : null;
            if (copy == null)
            {
                for (int t = 0; t < mirrored; t++)
                {
                    metrics.onDropped(countRecords(apiVersion, entryOffsets[t], entryLengths[t]));
                }
                return;
            }
            final MirroredProduce produceCopy = new MirroredProduce(sender, copy, readNanos, partitionCount);
            // Over the memory itself (no ByteBuffer view per request where the buffer has an address).
            if (copy.hasMemoryAddress())
            {
                copyView.wrap(copy.memoryAddress(), copy.capacity());
            }
            else
            {
                copyView.wrap(copy.nioBuffer(0, copy.capacity()));
            }
            int position = 0;
            long dropped = 0;
            for (int t = 0; t < mirrored; t++)
            {
                partitions.wrap(view, entryOffsets[t], entryLengths[t], apiVersion);
                while (partitions.nextPartition())
                {
                    if (partitions.recordsLength() <= 0)
                    {
                        continue;
                    }
                    final int start = position;
                    int records = 0;
                    batches.wrap(view, partitions.recordsOffset(), partitions.recordsLength());
                    while (batches.nextBatch())
                    {
                        if (batches.isMirrorable())
                        {
                            copyView.putBytes(position, view, batches.batchOffset(), batches.batchLength());
                            rewriter.rewrite(copyView, position, batches.batchLength());
                            position += batches.batchLength();
                            records += batches.recordCount();
                        }
                        else if (!batches.isControl())
                        {
                            dropped += batches.recordCount();
                        }
                    }
                    if (position > start)
                    {
                        produceCopy.add(topicNames[t], partitions.partitionIndex(), start, position - start, records);
                    }
                }
            }
            metrics.onDropped(dropped);
            if (produceCopy.count() == 0)
            {
                copy.release();
                return;
            }
            copy.writerIndex(position);
            metrics.addBytesInFlight(position);
            sender.submit(produceCopy);
        }

        /**
         * The current topic's name: null when named by an id not learnt, empty when not mirrored.
         */
        private String topicName()
        {
            if (produce.namesTopicsById())
            {
                final String name = topicIds.name(produce.topicIdMostSignificantBits(), produce.topicIdLeastSignificantBits());
                if (name == null)
                {
                    return null;
                }
                return topics.matches(name) ? name : "";
            }
            names.lookUp(view, produce.topicNameOffset(), produce.topicNameLength());
            return names.mirrored() ? names.name() : "";
        }

        private void remember(final int index, final String name, final int offset, final int length)
        {
            if (index == topicNames.length)
            {
                topicNames = Arrays.copyOf(topicNames, index * 2);
                entryOffsets = Arrays.copyOf(entryOffsets, index * 2);
                entryLengths = Arrays.copyOf(entryLengths, index * 2);
            }
            topicNames[index] = name;
            entryOffsets[index] = offset;
            entryLengths[index] = length;
        }

        private long countRecords(final short apiVersion, final int entryOffset, final int entryLength)
        {
            long records = 0;
            partitions.wrap(view, entryOffset, entryLength, apiVersion);
            while (partitions.nextPartition())
            {
                if (partitions.recordsLength() > 0)
                {
                    batches.wrap(view, partitions.recordsOffset(), partitions.recordsLength());
                    while (batches.nextBatch())
                    {
                        if (!batches.isControl())
                        {
                            records += batches.recordCount();
                        }
                    }
                }
            }
            return records;
        }
    }
}
