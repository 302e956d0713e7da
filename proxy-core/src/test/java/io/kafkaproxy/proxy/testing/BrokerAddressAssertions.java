package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture.CapturedResponse;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that what clients were sent names the proxy, never a broker: every endpoint of every
 * address-carrying response, parsed by Kafka's classes; and the raw bytes of every response without user data,
 * searched for a broker port or the brokers' host name.
 */
public final class BrokerAddressAssertions
{
    /** Responses that carry records, offsets or configs the clients chose; their bytes may contain anything. */
    private static final Set<ApiKeys> USER_DATA = EnumSet.of(ApiKeys.FETCH, ApiKeys.SHARE_FETCH, ApiKeys.DESCRIBE_CONFIGS,
        ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FETCH, ApiKeys.OFFSET_COMMIT, ApiKeys.TXN_OFFSET_COMMIT,
        ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
        ApiKeys.DESCRIBE_GROUPS, ApiKeys.CONSUMER_GROUP_DESCRIBE);

    private final List<Integer> brokerPorts;
    private final BrokerNodeRegistry nodes;
    private final String advertisedHost;

    /**
     * Creates the checks for one cluster and proxy.
     *
     * @param kafka the cluster and the proxy in front of it.
     */
    public BrokerAddressAssertions(final ProxiedKafka kafka)
    {
        this.brokerPorts = kafka.upstream().allPorts();
        this.nodes = kafka.proxy().nodes();
        this.advertisedHost = ProxiedKafka.ADVERTISED_HOST;
    }

    /**
     * Creates the checks for one listener of a proxy: every endpoint must be one of that listener's node ports.
     *
     * @param kafka        the cluster and the proxy in front of it.
     * @param listenerName the listener the clients came in by.
     */
    public BrokerAddressAssertions(final ProxiedKafka kafka, final String listenerName)
    {
        this.brokerPorts = kafka.upstream().allPorts();
        this.nodes = kafka.proxy().nodes(listenerName);
        this.advertisedHost = kafka.proxy().config().allListeners().stream()
            .filter(listener -> listener.name().equals(listenerName)).findFirst().orElseThrow().advertisedHost();
    }

    /**
     * Asserts every response names only proxy addresses.
     *
     * @param responses what clients received.
     * @return the endpoints seen, as {@code api:host:port}, so a test can check it saw some of each kind.
     */
    public List<String> assertNoBrokerAddress(final List<CapturedResponse> responses)
    {
        final List<String> endpoints = new ArrayList<>();
        for (final CapturedResponse response : responses)
        {
            for (final String endpoint : endpointsOf(response))
            {
                endpoints.add(response.api().name + ":" + endpoint);
                final String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
                final int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
                assertThat(host).as("%s v%d endpoint host", response.api(), response.apiVersion()).isEqualTo(advertisedHost);
                assertThat(nodes.nodes()).as("%s v%d endpoint port %d is a proxy node port", response.api(),
                    response.apiVersion(), port).anySatisfy(node -> assertThat(node.proxyPort()).isEqualTo(port));
            }
            if (!USER_DATA.contains(response.api()))
            {
                assertRawBytesNameNoBroker(response);
            }
        }
        return endpoints;
    }

    private void assertRawBytesNameNoBroker(final CapturedResponse response)
    {
        final String text = new String(response.bytes(), StandardCharsets.ISO_8859_1);
        assertThat(text).as("%s v%d bytes", response.api(), response.apiVersion()).doesNotContain("localhost");
        final ByteBuffer bytes = ByteBuffer.wrap(response.bytes());
        for (final int brokerPort : brokerPorts)
        {
            assertThat(text).as("%s v%d bytes", response.api(), response.apiVersion()).doesNotContain(":" + brokerPort);
            // Skip the size field and correlation id; every later 4-byte window is checked.
            for (int i = 8; i + 4 <= response.bytes().length; i++)
            {
                assertThat(bytes.getInt(i)).as("%s v%d int32 at %d", response.api(), response.apiVersion(), i).isNotEqualTo(brokerPort);
            }
        }
    }

    private static List<String> endpointsOf(final CapturedResponse response)
    {
        final List<String> endpoints = new ArrayList<>();
        if (response.message() instanceof MetadataResponseData metadata)
        {
            metadata.brokers().forEach(broker -> endpoints.add(broker.host() + ":" + broker.port()));
        }
        else if (response.message() instanceof FindCoordinatorResponseData coordinator)
        {
            if (response.apiVersion() < 4 && coordinator.nodeId() >= 0)
            {
                endpoints.add(coordinator.host() + ":" + coordinator.port());
            }
            coordinator.coordinators().stream().filter(c -> c.nodeId() >= 0)
                .forEach(c -> endpoints.add(c.host() + ":" + c.port()));
        }
        else if (response.message() instanceof DescribeClusterResponseData cluster)
        {
            cluster.brokers().forEach(broker -> endpoints.add(broker.host() + ":" + broker.port()));
        }
        else if (response.message() instanceof ProduceResponseData produce)
        {
            produce.nodeEndpoints().forEach(node -> endpoints.add(node.host() + ":" + node.port()));
        }
        else if (response.message() instanceof FetchResponseData fetch)
        {
            fetch.nodeEndpoints().forEach(node -> endpoints.add(node.host() + ":" + node.port()));
        }
        return endpoints;
    }
}
