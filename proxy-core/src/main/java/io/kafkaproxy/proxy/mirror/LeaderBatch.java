package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The copies bound for one shadow broker in one run of the sender's task queue, gathered into as few Produce
 * requests as the protocol allows: a broker takes exactly one record batch per partition in a request (v3+), so a
 * partition's second copy goes into the next request, and each partition's copies keep their order (a connection's
 * requests are handled in order). Busy clients thus cost the shadow fewer, larger requests.
 *
 * <p>Confined to the sender's event loop; holds slices of the copies until they are sent or dropped.
 */
final class LeaderBatch
{
    private final List<Request> requests = new ArrayList<>(2);

    /**
     * The partitions of one request to be, by topic, in the order they came.
     */
    private static final class Request
    {
        private final Map<String, Map<Integer, Slot>> topics = new LinkedHashMap<>();
        private long readNanos = Long.MAX_VALUE;
        private int partitionCount;
    }

    /**
     * One partition's records in a request.
     *
     * @param records     a retained slice of a copy.
     * @param recordCount the records it holds.
     */
    private record Slot(ByteBuf records, int recordCount)
    {
    }

    /**
     * Adds one partition's records of one copy.
     *
     * @param topic       the topic.
     * @param partition   the partition.
     * @param records     a retained slice of the copy, one batch; ownership moves here.
     * @param recordCount the records it holds.
     * @param readNanos   when the client's request was read.
     */
    void add(final String topic, final int partition, final ByteBuf records, final int recordCount, final long readNanos)
    {
        Request target = null;
        for (final Request request : requests)
        {
            final Map<Integer, Slot> partitions = request.topics.get(topic);
            if (partitions == null || !partitions.containsKey(partition))
            {
                target = request;
                break;
            }
        }
        if (target == null)
        {
            target = new Request();
            requests.add(target);
        }
        target.topics.computeIfAbsent(topic, name -> new LinkedHashMap<>()).put(partition, new Slot(records, recordCount));
        target.partitionCount++;
        target.readNanos = Math.min(target.readNanos, readNanos);
    }

    /**
     * How many requests the batch makes.
     *
     * @return the count.
     */
    int requestCount()
    {
        return requests.size();
    }

    /**
     * Encodes one of the batch's requests, handing its records over to it.
     *
     * @param index         which request, from 0, in order.
     * @param version       the Produce version.
     * @param correlationId the correlation id.
     * @param acks          the acks.
     * @param timeoutMs     the request's timeout.
     * @return the request.
     */
    ShadowRequest toRequest(final int index, final short version, final int correlationId, final short acks, final int timeoutMs)
    {
        final Request request = requests.get(index);
        final int size = request.partitionCount;
        final String[] names = new String[size];
        final int[] partitions = new int[size];
        final int[] records = new int[size];
        final ByteBuf[] recordSets = new ByteBuf[size];
        long bytes = 0;
        int k = 0;
        for (final Map.Entry<String, Map<Integer, Slot>> topic : request.topics.entrySet())
        {
            for (final Map.Entry<Integer, Slot> partition : topic.getValue().entrySet())
            {
                names[k] = topic.getKey();
                partitions[k] = partition.getKey();
                records[k] = partition.getValue().recordCount();
                recordSets[k] = partition.getValue().records();
                bytes += recordSets[k].readableBytes();
                k++;
            }
        }
        request.topics.clear();
        final ByteBuf frame = ShadowProduceEncoder.encode(version, correlationId, acks, timeoutMs, names, partitions, recordSets);
        return new ShadowRequest(ApiKeyIds.PRODUCE, version, correlationId, acks != 0, frame, request.readNanos, names,
            partitions, records, bytes);
    }

    /**
     * Drops what is left of the batch: counted as dropped and released.
     *
     * @param metrics the mirror's meters.
     */
    void drop(final MirrorMetrics metrics)
    {
        for (final Request request : requests)
        {
            for (final Map<Integer, Slot> partitions : request.topics.values())
            {
                for (final Slot slot : partitions.values())
                {
                    metrics.onDropped(slot.recordCount());
                    metrics.addBytesInFlight(-slot.records().readableBytes());
                    slot.records().release();
                }
            }
            request.topics.clear();
        }
    }
}
