package io.kafkaproxy.proxy.testing;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Request frames for probing a running proxy over a socket: valid ones written by Kafka's generated classes at every
 * version kafka-clients writes, then mutated (bit flips, interesting values over length fields, varints that never
 * end, truncations, extensions, cut ranges, splices, plain random bytes).
 *
 * <p>Most mutated frames get their size field set back to their new length, so that they pass the frame decoder and
 * reach the header, body and policy decoders behind it; the rest keep a corrupted or stale size. Deterministic for a
 * given random source. Immutable; safe to share.
 */
public final class MutatedRequestFrames
{
    private static final int[] INTERESTING_INTS = {
        0, 1, 2, 4, 127, 128, 255, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 16 << 20, 100 << 20, -1, -2, -128,
    };
    private static final int MUTATIONS = 10;
    private static final Uuid TOPIC_ID = new Uuid(0x0123456789ABCDEFL, 0x7EDCBA9876543210L);

    private final List<byte[]> seeds = new ArrayList<>();

    /**
     * Writes the valid frames of the requests a producer, a consumer and a SASL login send.
     *
     * @param topic the topic the Produce, Fetch and Metadata requests name.
     */
    public MutatedRequestFrames(final String topic)
    {
        this(topic, false);
    }

    private MutatedRequestFrames(final String topic, final boolean adminAndGroupRequests)
    {
        if (adminAndGroupRequests)
        {
            addAdminAndGroupRequests(topic);
        }
        addEveryVersion(ApiKeys.API_VERSIONS, version -> new ApiVersionsRequestData()
            .setClientSoftwareName("fuzz").setClientSoftwareVersion("1.0"));
        addEveryVersion(ApiKeys.METADATA, version -> new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))));
        addEveryVersion(ApiKeys.PRODUCE, version -> produceRequest(version, topic));
        addEveryVersion(ApiKeys.FETCH, version -> new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10).setMinBytes(1)
            .setTopics(List.of(fetchTopic(version, topic))));
        addEveryVersion(ApiKeys.FIND_COORDINATOR, version -> version >= 4 ?
            new FindCoordinatorRequestData().setCoordinatorKeys(List.of("fuzz-group")) :
            new FindCoordinatorRequestData().setKey("fuzz-group"));
        addEveryVersion(ApiKeys.DESCRIBE_CLUSTER, version -> new DescribeClusterRequestData());
        addEveryVersion(ApiKeys.SASL_HANDSHAKE, version -> new SaslHandshakeRequestData().setMechanism("PLAIN"));
        addEveryVersion(ApiKeys.SASL_AUTHENTICATE, version -> new SaslAuthenticateRequestData()
            .setAuthBytes("\0fuzz\0fuzz-secret".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The frames of {@link #MutatedRequestFrames(String)} plus the admin, group and transaction requests the proxy's
     * policy parses (CreateTopics, DeleteTopics, DescribeConfigs, JoinGroup, Heartbeat, OffsetCommit, OffsetFetch,
     * DeleteGroups, InitProducerId, ListOffsets); not for a real broker, where they would change the cluster.
     *
     * @param topic the topic the requests name.
     * @return the frames.
     */
    public static MutatedRequestFrames includingAdminAndGroupRequests(final String topic)
    {
        return new MutatedRequestFrames(topic, true);
    }

    /**
     * How many valid frames there are to mutate.
     *
     * @return the count.
     */
    public int seedCount()
    {
        return seeds.size();
    }

    /**
     * One valid frame, size field included.
     *
     * @param random picks the frame.
     * @return a copy of the frame.
     */
    public byte[] valid(final SplittableRandom random)
    {
        return seeds.get(random.nextInt(seeds.size())).clone();
    }

    /**
     * One mutated frame.
     *
     * @param random the random source, one per frame so that a frame can be replayed from its seed.
     * @return the bytes to send.
     */
    public byte[] mutated(final SplittableRandom random)
    {
        final int kind = random.nextInt(16);
        if (kind == 0)
        {
            return randomBytes(random, random.nextInt(256));
        }
        final byte[] frame = valid(random);
        byte[] message = Arrays.copyOfRange(frame, 4, frame.length);
        final int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++)
        {
            message = mutateOnce(random, message);
        }
        final ByteBuffer mutated = ByteBuffer.allocate(4 + message.length);
        if (kind < 12)
        {
            mutated.putInt(message.length);
        }
        else if (kind < 14)
        {
            // The frame as first written: its size now wrong by what the mutations added or cut.
            mutated.putInt(frame.length - 4);
        }
        else
        {
            mutated.putInt(INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
        }
        return mutated.put(message).array();
    }

    private void addEveryVersion(final ApiKeys api, final Function<Short, ApiMessage> body)
    {
        for (short version = api.oldestVersion(); version <= api.latestVersion(); version++)
        {
            try
            {
                seeds.add(frame(api, version, body.apply(version)));
            }
            catch (final RuntimeException unwritable)
            {
                // A field value this version cannot carry: kafka-clients refuses it, and so would a broker.
            }
        }
    }

    private void addAdminAndGroupRequests(final String topic)
    {
        addEveryVersion(ApiKeys.CREATE_TOPICS, version ->
        {
            final CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(1000);
            data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(topic).setNumPartitions(1)
                .setReplicationFactor((short)1));
            return data;
        });
        addEveryVersion(ApiKeys.DELETE_TOPICS, version -> version >= 6 ?
            new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(topic))) :
            new DeleteTopicsRequestData().setTopicNames(List.of(topic)));
        addEveryVersion(ApiKeys.DESCRIBE_CONFIGS, version -> new DescribeConfigsRequestData().setResources(List.of(
            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte)2).setResourceName(topic))));
        addEveryVersion(ApiKeys.JOIN_GROUP, version ->
        {
            final JoinGroupRequestData data = new JoinGroupRequestData().setGroupId("fuzz-group").setMemberId("")
                .setProtocolType("consumer").setSessionTimeoutMs(10000);
            data.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[4]));
            return data;
        });
        addEveryVersion(ApiKeys.HEARTBEAT, version ->
            new HeartbeatRequestData().setGroupId("fuzz-group").setGenerationId(1).setMemberId("member-1"));
        addEveryVersion(ApiKeys.OFFSET_COMMIT, version -> new OffsetCommitRequestData().setGroupId("fuzz-group")
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName(version >= 10 ? "" : topic).setTopicId(version >= 10 ? TOPIC_ID : Uuid.ZERO_UUID)
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(0).setCommittedOffset(5))))));
        addEveryVersion(ApiKeys.OFFSET_FETCH, version -> version >= 8 ?
            new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                .setGroupId("fuzz-group"))) :
            new OffsetFetchRequestData().setGroupId("fuzz-group"));
        addEveryVersion(ApiKeys.DELETE_GROUPS, version -> new DeleteGroupsRequestData().setGroupsNames(List.of("fuzz-group")));
        addEveryVersion(ApiKeys.INIT_PRODUCER_ID, version ->
            new InitProducerIdRequestData().setTransactionalId("fuzz-txn").setTransactionTimeoutMs(10000));
        addEveryVersion(ApiKeys.LIST_OFFSETS, version -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
            new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))))));
    }

    private static ProduceRequestData produceRequest(final short version, final String topic)
    {
        final ProduceRequestData data = new ProduceRequestData().setAcks((short)1).setTimeoutMs(5000);
        data.topicData().add(new ProduceRequestData.TopicProduceData()
            .setName(version >= 13 ? "" : topic)
            .setTopicId(version >= 13 ? TOPIC_ID : Uuid.ZERO_UUID)
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("fuzz".getBytes(StandardCharsets.UTF_8)))))));
        return data;
    }

    private static FetchRequestData.FetchTopic fetchTopic(final short version, final String topic)
    {
        final FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setPartitions(List.of(
            new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1024)));
        return version >= 13 ? fetchTopic.setTopicId(TOPIC_ID) : fetchTopic.setTopic(topic);
    }

    private static byte[] frame(final ApiKeys api, final short version, final ApiMessage body)
    {
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(version).setClientId("fuzz-client");
        final byte[] headerBytes = bytes(header, api.requestHeaderVersion(version));
        final byte[] bodyBytes = bytes(body, version);
        return ByteBuffer.allocate(4 + headerBytes.length + bodyBytes.length)
            .putInt(headerBytes.length + bodyBytes.length).put(headerBytes).put(bodyBytes).array();
    }

    private static byte[] bytes(final Message message, final short version)
    {
        final ByteBuffer buffer = MessageUtil.toByteBufferAccessor(message, version).buffer();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] mutateOnce(final SplittableRandom random, final byte[] bytes)
    {
        if (bytes.length == 0)
        {
            return randomBytes(random, 1 + random.nextInt(16));
        }
        final int at = random.nextInt(bytes.length);
        switch (random.nextInt(MUTATIONS))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.nextInt(8));
                return bytes;
            case 1:
                putInt(bytes, at, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)], 2);
                return bytes;
            case 2:
                putInt(bytes, at, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)], 4);
                return bytes;
            case 3:
                putInt(bytes, at, bytes.length - at + random.nextInt(9) - 4, 1 + random.nextInt(2) * (1 + random.nextInt(3)));
                return bytes;
            case 4:
                for (int i = at; i < Math.min(bytes.length, at + 1 + random.nextInt(6)); i++)
                {
                    // A varint whose continuation bit never clears.
                    bytes[i] = (byte)(0x80 | random.nextInt(128));
                }
                return bytes;
            case 5:
                return Arrays.copyOf(bytes, at);
            case 6:
                final byte[] extended = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
                for (int i = bytes.length; i < extended.length; i++)
                {
                    extended[i] = (byte)random.nextInt(256);
                }
                return extended;
            case 7:
                final int cut = 1 + random.nextInt(Math.min(16, bytes.length - at));
                final byte[] shorter = new byte[bytes.length - cut];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + cut, shorter, at, bytes.length - at - cut);
                return shorter;
            default:
                bytes[at] = (byte)random.nextInt(256);
                return bytes;
        }
    }

    private static void putInt(final byte[] bytes, final int at, final int value, final int width)
    {
        for (int i = 0; i < width && at + i < bytes.length; i++)
        {
            bytes[at + i] = (byte)(value >> (8 * (width - 1 - i)));
        }
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }
}
