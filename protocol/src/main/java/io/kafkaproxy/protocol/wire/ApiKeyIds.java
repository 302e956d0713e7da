package io.kafkaproxy.protocol.wire;

/**
 * The api keys the proxy looks inside, as compile-time constants so they can drive a {@code switch}.
 *
 * <p>The values are Kafka's; a test pins each against {@code org.apache.kafka.common.protocol.ApiKeys}.
 */
public final class ApiKeyIds
{
    /** Produce. */
    public static final short PRODUCE = 0;

    /** Fetch. */
    public static final short FETCH = 1;

    /** ListOffsets. */
    public static final short LIST_OFFSETS = 2;

    /** Metadata. */
    public static final short METADATA = 3;

    /** OffsetCommit. */
    public static final short OFFSET_COMMIT = 8;

    /** OffsetFetch. */
    public static final short OFFSET_FETCH = 9;

    /** FindCoordinator. */
    public static final short FIND_COORDINATOR = 10;

    /** JoinGroup. */
    public static final short JOIN_GROUP = 11;

    /** Heartbeat. */
    public static final short HEARTBEAT = 12;

    /** LeaveGroup. */
    public static final short LEAVE_GROUP = 13;

    /** SyncGroup. */
    public static final short SYNC_GROUP = 14;

    /** DescribeGroups. */
    public static final short DESCRIBE_GROUPS = 15;

    /** SaslHandshake. */
    public static final short SASL_HANDSHAKE = 17;

    /** ApiVersions. */
    public static final short API_VERSIONS = 18;

    /** CreateTopics. */
    public static final short CREATE_TOPICS = 19;

    /** DeleteTopics. */
    public static final short DELETE_TOPICS = 20;

    /** InitProducerId. */
    public static final short INIT_PRODUCER_ID = 22;

    /** AddPartitionsToTxn. */
    public static final short ADD_PARTITIONS_TO_TXN = 24;

    /** AddOffsetsToTxn. */
    public static final short ADD_OFFSETS_TO_TXN = 25;

    /** EndTxn. */
    public static final short END_TXN = 26;

    /** TxnOffsetCommit. */
    public static final short TXN_OFFSET_COMMIT = 28;

    /** DescribeConfigs. */
    public static final short DESCRIBE_CONFIGS = 32;

    /** AlterConfigs. */
    public static final short ALTER_CONFIGS = 33;

    /** SaslAuthenticate. */
    public static final short SASL_AUTHENTICATE = 36;

    /** CreatePartitions. */
    public static final short CREATE_PARTITIONS = 37;

    /** DeleteGroups. */
    public static final short DELETE_GROUPS = 42;

    /** IncrementalAlterConfigs. */
    public static final short INCREMENTAL_ALTER_CONFIGS = 44;

    /** OffsetDelete. */
    public static final short OFFSET_DELETE = 47;

    /** DescribeQuorum. */
    public static final short DESCRIBE_QUORUM = 55;

    /** DescribeCluster. */
    public static final short DESCRIBE_CLUSTER = 60;

    /** ConsumerGroupHeartbeat. */
    public static final short CONSUMER_GROUP_HEARTBEAT = 68;

    /** ConsumerGroupDescribe. */
    public static final short CONSUMER_GROUP_DESCRIBE = 69;

    /** ShareFetch. */
    public static final short SHARE_FETCH = 78;

    /** ShareAcknowledge. */
    public static final short SHARE_ACKNOWLEDGE = 79;

    private ApiKeyIds()
    {
    }
}
