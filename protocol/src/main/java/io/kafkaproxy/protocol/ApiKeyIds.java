package io.kafkaproxy.protocol;

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
    /** Metadata. */
    public static final short METADATA = 3;
    /** FindCoordinator. */
    public static final short FIND_COORDINATOR = 10;
    /** SaslHandshake. */
    public static final short SASL_HANDSHAKE = 17;
    /** ApiVersions. */
    public static final short API_VERSIONS = 18;
    /** SaslAuthenticate. */
    public static final short SASL_AUTHENTICATE = 36;
    /** DescribeQuorum. */
    public static final short DESCRIBE_QUORUM = 55;
    /** DescribeCluster. */
    public static final short DESCRIBE_CLUSTER = 60;
    /** ShareFetch. */
    public static final short SHARE_FETCH = 78;
    /** ShareAcknowledge. */
    public static final short SHARE_ACKNOWLEDGE = 79;

    private ApiKeyIds()
    {
    }
}
