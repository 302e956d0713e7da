package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireReader;
import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * The shapes of the array entries that carry a broker endpoint. Each is
 * {@code [prefix] node_id int32 | host string | port int32 [suffix]}; only node_id, host and port change, the
 * prefix and suffix are copied byte for byte.
 */
enum EndpointEntryLayout
{
    /**
     * Metadata broker: suffix is rack (v1+) and tagged fields (v9+).
     */
    METADATA_BROKER
    {
        @Override
        void skipSuffix(final KafkaWireReader reader, final short version, final boolean flexible)
        {
            if (version >= 1)
            {
                reader.skipString(flexible, "rack");
            }
            reader.skipTaggedFields(flexible, "broker");
        }
    },

    /**
     * DescribeCluster broker: suffix is rack, is_fenced (v2+) and tagged fields.
     */
    DESCRIBE_CLUSTER_BROKER
    {
        @Override
        void skipSuffix(final KafkaWireReader reader, final short version, final boolean flexible)
        {
            reader.skipString(true, "rack");
            if (version >= 2)
            {
                reader.skip(SIZE_OF_BYTE, "is_fenced");
            }
            reader.skipTaggedFields("broker");
        }
    },

    /**
     * NodeEndpoint of Produce, Fetch, ShareFetch and ShareAcknowledge responses: suffix is rack and tagged fields.
     */
    NODE_ENDPOINT
    {
        @Override
        void skipSuffix(final KafkaWireReader reader, final short version, final boolean flexible)
        {
            reader.skipString(true, "rack");
            reader.skipTaggedFields("node_endpoint");
        }
    },

    /**
     * FindCoordinator v4+ coordinator: prefix is the key, suffix is error_code, error_message and tagged fields.
     */
    COORDINATOR
    {
        @Override
        void skipPrefix(final KafkaWireReader reader, final short version, final boolean flexible)
        {
            reader.skipString(true, "key");
        }

        @Override
        void skipSuffix(final KafkaWireReader reader, final short version, final boolean flexible)
        {
            reader.skip(SIZE_OF_SHORT, "error_code");
            reader.skipString(true, "error_message");
            reader.skipTaggedFields("coordinator");
        }
    };

    /**
     * Skips the fields ahead of node_id.
     *
     * @param reader   positioned at the entry's first byte.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     */
    void skipPrefix(final KafkaWireReader reader, final short version, final boolean flexible)
    {
    }

    /**
     * Skips the fields after port, up to the end of the entry.
     *
     * @param reader   positioned just after port.
     * @param version  the response version.
     * @param flexible whether the version uses compact encodings.
     */
    abstract void skipSuffix(KafkaWireReader reader, short version, boolean flexible);
}
