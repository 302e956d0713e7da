package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.proxy.config.HostPort;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the mirror knows of the shadow cluster from its last Metadata answer: its brokers' addresses, the leader of
 * each partition of the mirrored topics, and the mirrored topics found absent from it.
 *
 * <p>Topics found absent are not asked about again until a minute has passed, so a topic that exists on the
 * primary only costs one Metadata request a minute, not one per client request. Confined to the sender's loop.
 */
final class ShadowMetadata
{
    /** No leader known. */
    static final int NO_LEADER = -1;
    private static final long ABSENT_FOR_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final MirrorTopicMatcher topics;
    private final Map<String, int[]> leaders = new HashMap<>();
    private final Map<Integer, HostPort> nodes = new HashMap<>();
    private final Set<String> absentTopics = new HashSet<>();
    private long absentClearedNanos;

    ShadowMetadata(final MirrorTopicMatcher topics)
    {
        this.topics = topics;
    }

    /**
     * Takes a Metadata answer in place of the last one.
     *
     * @param response the answer.
     * @param nowNanos the time now.
     */
    void update(final MetadataResponseData response, final long nowNanos)
    {
        if (nowNanos - absentClearedNanos > ABSENT_FOR_NANOS)
        {
            absentTopics.clear();
            absentClearedNanos = nowNanos;
        }
        nodes.clear();
        for (final MetadataResponseData.MetadataResponseBroker broker : response.brokers())
        {
            nodes.put(broker.nodeId(), new HostPort(broker.host(), broker.port()));
        }
        leaders.clear();
        for (final MetadataResponseData.MetadataResponseTopic topic : response.topics())
        {
            if (topic.errorCode() != Errors.NONE.code() || topic.name() == null || !topics.matches(topic.name()))
            {
                continue;
            }
            int partitionCount = 0;
            for (final MetadataResponseData.MetadataResponsePartition partition : topic.partitions())
            {
                partitionCount = Math.max(partitionCount, partition.partitionIndex() + 1);
            }
            final int[] partitionLeaders = new int[partitionCount];
            Arrays.fill(partitionLeaders, NO_LEADER);
            for (final MetadataResponseData.MetadataResponsePartition partition : topic.partitions())
            {
                partitionLeaders[partition.partitionIndex()] = partition.leaderId();
            }
            leaders.put(topic.name(), partitionLeaders);
        }
    }

    /**
     * The leader of a partition.
     *
     * @param topic     the topic.
     * @param partition the partition.
     * @return the leader's node id, or {@link #NO_LEADER}.
     */
    int leaderOf(final String topic, final int partition)
    {
        final int[] partitionLeaders = leaders.get(topic);
        return partitionLeaders != null && partition >= 0 && partition < partitionLeaders.length ?
            partitionLeaders[partition] : NO_LEADER;
    }

    /**
     * Whether the last answer named a topic.
     *
     * @param topic the topic.
     * @return true if it did.
     */
    boolean knows(final String topic)
    {
        return leaders.containsKey(topic);
    }

    /**
     * Remembers a topic as absent from the shadow, or with a partition the shadow lacks: copies for it no longer
     * wait for a refresh until the periodic one.
     *
     * @param topic the topic.
     */
    void markAbsent(final String topic)
    {
        absentTopics.add(topic);
    }

    /**
     * Whether a copy names a partition without a known leader, of a topic not found absent: one a refresh may teach.
     *
     * @param copy the copy.
     * @return true if a refresh is worth waiting for.
     */
    boolean needsRefresh(final MirroredProduce copy)
    {
        for (int i = 0; i < copy.count(); i++)
        {
            if (leaderOf(copy.topic(i), copy.partition(i)) == NO_LEADER && !absentTopics.contains(copy.topic(i)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A broker's address.
     *
     * @param nodeId the broker's node id.
     * @return its address, or null if the last answer did not name it.
     */
    HostPort node(final int nodeId)
    {
        return nodes.get(nodeId);
    }

    int nodeCount()
    {
        return nodes.size();
    }

    int topicCount()
    {
        return leaders.size();
    }
}
