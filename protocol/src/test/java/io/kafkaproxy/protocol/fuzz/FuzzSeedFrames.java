package io.kafkaproxy.protocol.fuzz;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The valid frames the fuzzers start from, written by Kafka's generated message classes (the oracle) at every version
 * kafka-clients writes and the proxy decodes: whole request frames (size, header, body), request bodies, and response
 * bodies. A version kafka-clients refuses to write with these field values is left out.
 */
public final class FuzzSeedFrames
{
    private static final Uuid TOPIC_ID = new Uuid(0x0123456789ABCDEFL, 0x7EDCBA9876543210L);
    private static final byte[] PLAIN_TOKEN = "\0alice\0alice-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SCRAM_TOKEN = "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(StandardCharsets.UTF_8);

    private FuzzSeedFrames()
    {
    }

    /**
     * Whole request frames, size field included, of every api the proxy reads a request of, plus a few it forwards.
     *
     * @return the frames.
     */
    public static List<SeedFrame> requestFrames()
    {
        final List<SeedFrame> frames = new ArrayList<>();
        for (final SeedFrame body : produceRequests())
        {
            frames.add(frame(body));
        }
        for (final SeedFrame body : fetchRequests())
        {
            frames.add(frame(body));
        }
        frames.addAll(saslHandshakeRequests().stream().map(FuzzSeedFrames::frame).toList());
        frames.addAll(saslAuthenticateRequests().stream().map(FuzzSeedFrames::frame).toList());
        addEveryVersion(frames, ApiKeys.API_VERSIONS, version -> version >= 3 ?
            new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1.0") :
            new ApiVersionsRequestData(), true);
        addEveryVersion(frames, ApiKeys.METADATA, version -> new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders")
                .setTopicId(version >= 10 ? TOPIC_ID : Uuid.ZERO_UUID))), true);
        addEveryVersion(frames, ApiKeys.FIND_COORDINATOR, version -> version >= 4 ?
            new FindCoordinatorRequestData().setCoordinatorKeys(List.of("group-a", "group-b")) :
            new FindCoordinatorRequestData().setKey("group-a"), true);
        addEveryVersion(frames, ApiKeys.DESCRIBE_CLUSTER, version -> new DescribeClusterRequestData(), true);
        return frames;
    }

    /**
     * Produce request bodies, every version.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> produceRequests()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.PRODUCE, FuzzSeedFrames::produceRequest, false);
        return bodies;
    }

    /**
     * Fetch request bodies, every version.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> fetchRequests()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.FETCH, FuzzSeedFrames::fetchRequest, false);
        return bodies;
    }

    /**
     * SaslHandshake request bodies, every version, for the mechanisms the proxy reads a user name from.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> saslHandshakeRequests()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.SASL_HANDSHAKE, version -> new SaslHandshakeRequestData().setMechanism("PLAIN"), false);
        addEveryVersion(bodies, ApiKeys.SASL_HANDSHAKE, version -> new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"), false);
        return bodies;
    }

    /**
     * SaslAuthenticate request bodies, every version, carrying a PLAIN token and a SCRAM client-first message.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> saslAuthenticateRequests()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.SASL_AUTHENTICATE, version -> new SaslAuthenticateRequestData().setAuthBytes(PLAIN_TOKEN), false);
        addEveryVersion(bodies, ApiKeys.SASL_AUTHENTICATE, version -> new SaslAuthenticateRequestData().setAuthBytes(SCRAM_TOKEN), false);
        return bodies;
    }

    /**
     * Metadata response bodies, every version the proxy decodes.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> metadataResponses()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.METADATA, FuzzSeedFrames::metadataResponse, false);
        return bodies;
    }

    /**
     * FindCoordinator response bodies, every version the proxy decodes.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> findCoordinatorResponses()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.FIND_COORDINATOR, FuzzSeedFrames::findCoordinatorResponse, false);
        return bodies;
    }

    /**
     * DescribeCluster response bodies, every version the proxy decodes.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> describeClusterResponses()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.DESCRIBE_CLUSTER, FuzzSeedFrames::describeClusterResponse, false);
        return bodies;
    }

    /**
     * ApiVersions response bodies, every version the proxy decodes, including an UNSUPPORTED_VERSION answer.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> apiVersionsResponses()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.API_VERSIONS, FuzzSeedFrames::apiVersionsResponse, false);
        bodies.add(body(new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code()), (short)0));
        return bodies;
    }

    /**
     * Produce, Fetch, ShareFetch and ShareAcknowledge response bodies carrying node endpoints (KIP-951), every version
     * the proxy decodes.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> nodeEndpointsResponses()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        addEveryVersion(bodies, ApiKeys.PRODUCE, FuzzSeedFrames::produceResponse, false);
        addEveryVersion(bodies, ApiKeys.FETCH, FuzzSeedFrames::fetchResponse, false);
        addEveryVersion(bodies, ApiKeys.SHARE_FETCH, version -> shareFetchResponse(), false);
        addEveryVersion(bodies, ApiKeys.SHARE_ACKNOWLEDGE, version -> shareAcknowledgeResponse(), false);
        return bodies;
    }

    /**
     * Every response: the rich ones above and an empty response of every api and version kafka-clients knows.
     *
     * @return the bodies.
     */
    public static List<SeedFrame> everyResponse()
    {
        final List<SeedFrame> bodies = new ArrayList<>();
        bodies.addAll(metadataResponses());
        bodies.addAll(findCoordinatorResponses());
        bodies.addAll(describeClusterResponses());
        bodies.addAll(apiVersionsResponses());
        bodies.addAll(nodeEndpointsResponses());
        for (final ApiMessageType type : ApiMessageType.values())
        {
            for (short version = type.lowestSupportedVersion(); version <= type.highestSupportedVersion(true); version++)
            {
                addIfWritable(bodies, type.newResponse(), version);
            }
        }
        return bodies;
    }

    private static void addEveryVersion(final List<SeedFrame> seeds, final ApiKeys api, final Function<Short, ApiMessage> message,
        final boolean asRequestFrame)
    {
        final short highest = ProxyApiVersions.isDecoded(api.id) ?
            (short)Math.min(api.latestVersion(true), ProxyApiVersions.highestDecodedVersion(api.id)) : api.latestVersion(true);
        for (short version = api.oldestVersion(); version <= highest; version++)
        {
            // Every builder here sets only the fields its version has, so a refusal to write is a bug of this class.
            final SeedFrame body = body(message.apply(version), version);
            seeds.add(asRequestFrame ? frame(body) : body);
        }
    }

    private static void addIfWritable(final List<SeedFrame> seeds, final ApiMessage message, final short version)
    {
        try
        {
            seeds.add(body(message, version));
        }
        catch (final RuntimeException unwritable)
        {
            // A field value this version cannot carry: kafka-clients refuses it, and so would a broker.
        }
    }

    private static SeedFrame body(final ApiMessage message, final short version)
    {
        return new SeedFrame(message.apiKey(), version, bytes(message, version));
    }

    private static SeedFrame frame(final SeedFrame body)
    {
        final ApiKeys api = ApiKeys.forId(body.apiKey());
        final short headerVersion = api.requestHeaderVersion(body.apiVersion());
        final RequestHeaderData header = new RequestHeaderData()
            .setRequestApiKey(body.apiKey())
            .setRequestApiVersion(body.apiVersion())
            .setCorrelationId(body.bytes().length)
            .setClientId(body.apiVersion() % 3 == 0 ? null : "fuzz-client-\u00e9");
        final byte[] headerBytes = bytes(header, headerVersion);
        final ByteBuffer frame = ByteBuffer.allocate(4 + headerBytes.length + body.bytes().length);
        frame.putInt(headerBytes.length + body.bytes().length).put(headerBytes).put(body.bytes());
        return new SeedFrame(body.apiKey(), body.apiVersion(), frame.array());
    }

    private static byte[] bytes(final Message message, final short version)
    {
        final ByteBuffer buffer = MessageUtil.toByteBufferAccessor(message, version).buffer();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static ProduceRequestData produceRequest(final short version)
    {
        final ProduceRequestData data = new ProduceRequestData()
            .setAcks((short)-1)
            .setTimeoutMs(30000)
            .setTransactionalId(version >= 3 && version % 2 == 1 ? "txn-\u00e9" : null);
        data.topicData().add(new ProduceRequestData.TopicProduceData()
            .setName(version >= 13 ? "" : "orders")
            .setTopicId(version >= 13 ? TOPIC_ID : Uuid.ZERO_UUID)
            .setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("v-0", "v-1")),
                new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(null))));
        data.topicData().add(new ProduceRequestData.TopicProduceData()
            .setName(version >= 13 ? "" : "payments")
            .setTopicId(version >= 13 ? new Uuid(5L, 6L) : Uuid.ZERO_UUID)
            .setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(7).setRecords(records("x")))));
        return data;
    }

    private static FetchRequestData fetchRequest(final short version)
    {
        final FetchRequestData data = new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(500)
            .setMinBytes(1)
            .setMaxBytes(version >= 3 ? 1 << 20 : Integer.MAX_VALUE)
            .setIsolationLevel(version >= 4 ? (byte)1 : (byte)0)
            .setSessionId(version >= 7 ? 12 : 0)
            .setSessionEpoch(version >= 7 ? 3 : -1)
            .setRackId(version >= 11 ? "rack-a" : "");
        for (int topic = 0; topic < 2; topic++)
        {
            final FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic()
                .setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(42).setPartitionMaxBytes(1024)
                        .setCurrentLeaderEpoch(version >= 9 ? 4 : -1).setLogStartOffset(version >= 5 ? 1 : -1)
                        .setLastFetchedEpoch(version >= 12 ? 3 : -1),
                    new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(2048)));
            if (version >= 13)
            {
                fetchTopic.setTopicId(topic == 0 ? TOPIC_ID : new Uuid(7L, 8L));
            }
            else
            {
                fetchTopic.setTopic(topic == 0 ? "orders" : "payments");
            }
            data.topics().add(fetchTopic);
        }
        if (version >= 7)
        {
            final FetchRequestData.ForgottenTopic forgotten = new FetchRequestData.ForgottenTopic().setPartitions(List.of(3, 4));
            if (version >= 13)
            {
                forgotten.setTopicId(new Uuid(9L, 10L));
            }
            else
            {
                forgotten.setTopic("gone");
            }
            data.forgottenTopicsData().add(forgotten);
        }
        return data;
    }

    private static MetadataResponseData metadataResponse(final short version)
    {
        final MetadataResponseData data = new MetadataResponseData()
            .setThrottleTimeMs(version >= 3 ? 5 : 0)
            .setClusterId(version >= 2 ? "cluster-a" : null)
            .setControllerId(version >= 1 ? 1000 : -1);
        for (final int nodeId : new int[] {1, 3, 1000})
        {
            data.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(nodeId)
                .setHost("broker-" + nodeId + ".internal")
                .setPort(9092)
                .setRack(nodeId == 1 || version < 1 ? null : "rack-" + nodeId));
        }
        for (int topic = 0; topic < 2; topic++)
        {
            data.topics().add(new MetadataResponseData.MetadataResponseTopic()
                .setName(topic == 0 ? "orders" : "__consumer_offsets")
                .setIsInternal(version >= 1 && topic == 1)
                .setTopicId(version >= 10 ? TOPIC_ID : Uuid.ZERO_UUID)
                .setPartitions(List.of(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(0)
                    .setLeaderId(1000)
                    .setLeaderEpoch(version >= 7 ? 3 : -1)
                    .setReplicaNodes(List.of(1, 1000))
                    .setIsrNodes(List.of(1))
                    .setOfflineReplicas(List.of()))));
        }
        return data;
    }

    private static FindCoordinatorResponseData findCoordinatorResponse(final short version)
    {
        if (version < 4)
        {
            return new FindCoordinatorResponseData()
                .setThrottleTimeMs(version >= 1 ? 3 : 0)
                .setErrorMessage(version >= 1 ? "fine" : null)
                .setNodeId(7)
                .setHost("broker-7.internal")
                .setPort(9092);
        }
        return new FindCoordinatorResponseData()
            .setThrottleTimeMs(3)
            .setCoordinators(List.of(
                new FindCoordinatorResponseData.Coordinator().setKey("group-a").setNodeId(7).setHost("broker-7.internal").setPort(9092),
                new FindCoordinatorResponseData.Coordinator().setKey("group-b").setNodeId(-1).setHost("").setPort(-1)
                    .setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()).setErrorMessage("loading")));
    }

    private static DescribeClusterResponseData describeClusterResponse(final short version)
    {
        final DescribeClusterResponseData data = new DescribeClusterResponseData()
            .setThrottleTimeMs(1)
            .setEndpointType((byte)1)
            .setClusterId("cluster-a")
            .setControllerId(2)
            .setClusterAuthorizedOperations(42);
        for (final int nodeId : new int[] {2, 3, 31337})
        {
            data.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                .setBrokerId(nodeId)
                .setHost("10.0.0." + (nodeId % 250))
                .setPort(9092)
                .setRack(nodeId == 2 ? "r1" : null)
                .setIsFenced(version >= 2 && nodeId == 31337));
        }
        return data;
    }

    private static ApiVersionsResponseData apiVersionsResponse(final short version)
    {
        final ApiVersionsResponseData data = new ApiVersionsResponseData().setThrottleTimeMs(version >= 1 ? 12 : 0);
        for (final ApiKeys api : new ApiKeys[] {ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA, ApiKeys.API_VERSIONS,
            ApiKeys.SASL_HANDSHAKE, ApiKeys.DESCRIBE_CLUSTER})
        {
            data.apiKeys().add(new ApiVersionsResponseData.ApiVersion()
                .setApiKey(api.id).setMinVersion(api.oldestVersion()).setMaxVersion(api.latestVersion()));
        }
        return data;
    }

    private static ProduceResponseData produceResponse(final short version)
    {
        final ProduceResponseData data = new ProduceResponseData().setThrottleTimeMs(9);
        final ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse()
            .setPartitionResponses(List.of(new ProduceResponseData.PartitionProduceResponse()
                .setIndex(0)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setErrorMessage(version >= 8 ? "moved" : null)
                .setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(version >= 10 ? 4 : -1)
                    .setLeaderEpoch(version >= 10 ? 8 : -1))));
        if (version >= 13)
        {
            topic.setTopicId(TOPIC_ID);
        }
        else
        {
            topic.setName("orders");
        }
        data.responses().add(topic);
        if (version >= 10)
        {
            data.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                .setNodeId(4).setHost("broker-4.internal").setPort(9092).setRack("r4"));
        }
        return data;
    }

    private static FetchResponseData fetchResponse(final short version)
    {
        final FetchResponseData data = new FetchResponseData().setThrottleTimeMs(1).setSessionId(version >= 7 ? 77 : 0);
        final FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
            .setPartitions(List.of(new FetchResponseData.PartitionData()
                .setPartitionIndex(0)
                .setHighWatermark(10)
                .setRecords(records("value-1"))));
        if (version >= 13)
        {
            topic.setTopicId(TOPIC_ID);
        }
        else
        {
            topic.setTopic("orders");
        }
        data.responses().add(topic);
        if (version >= 16)
        {
            for (final int nodeId : new int[] {2, 4})
            {
                data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
                    .setNodeId(nodeId).setHost("broker-" + nodeId + ".internal").setPort(9092));
            }
        }
        return data;
    }

    private static ShareFetchResponseData shareFetchResponse()
    {
        final ShareFetchResponseData data = new ShareFetchResponseData().setThrottleTimeMs(2).setErrorMessage("ok");
        data.responses().add(new ShareFetchResponseData.ShareFetchableTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(new ShareFetchResponseData.PartitionData()
                .setPartitionIndex(1)
                .setRecords(records("v"))
                .setAcquiredRecords(List.of(new ShareFetchResponseData.AcquiredRecords()
                    .setFirstOffset(0).setLastOffset(0).setDeliveryCount((short)1))))));
        data.nodeEndpoints().add(new ShareFetchResponseData.NodeEndpoint()
            .setNodeId(4).setHost("broker-4.internal").setPort(9092).setRack(null));
        return data;
    }

    private static ShareAcknowledgeResponseData shareAcknowledgeResponse()
    {
        final ShareAcknowledgeResponseData data = new ShareAcknowledgeResponseData().setThrottleTimeMs(2);
        data.responses().add(new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(1))));
        data.nodeEndpoints().add(new ShareAcknowledgeResponseData.NodeEndpoint()
            .setNodeId(4).setHost("broker-4.internal").setPort(9092).setRack("r4"));
        return data;
    }

    private static MemoryRecords records(final String... values)
    {
        final SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++)
        {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }
}
