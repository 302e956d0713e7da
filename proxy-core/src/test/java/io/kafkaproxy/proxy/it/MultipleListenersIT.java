package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.BrokerNode;
import io.kafkaproxy.proxy.testing.BrokerAddressAssertions;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture;
import io.kafkaproxy.proxy.testing.ClientTrafficCapture.CapturedResponse;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.netty.channel.ChannelPipeline;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two plaintext listeners side by side in front of one broker: each has its own bootstrap port and node ports, a
 * client is only ever told of the listener it came in by, and records produced through one are consumed through
 * the other.
 */
class MultipleListenersIT
{
    private static final String FIRST = ListenerConfig.DEFAULT_NAME;
    private static final String SECOND = "second";
    /** Every client connection's traffic, by the proxy port it was accepted on. */
    private static final Map<Integer, ClientTrafficCapture> CAPTURES = new ConcurrentHashMap<>();
    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        final Consumer<ChannelPipeline> captureByPort = pipeline -> CAPTURES
            .computeIfAbsent(((InetSocketAddress)pipeline.channel().localAddress()).getPort(), port -> new ClientTrafficCapture())
            .accept(pipeline);
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> config.toBuilder()
            .listeners(List.of(new ListenerConfig(SECOND, new HostPort(ProxiedKafka.ADVERTISED_HOST, 0),
                ProxiedKafka.ADVERTISED_HOST, new NodePortsConfig(0, 1), null)))
            .build(), captureByPort);
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @Test
    void eachListenerShouldAdvertiseTheNodeUnderItsOwnPort() throws Exception
    {
        // Given
        final String topic = "two-listeners";
        kafka.createTopic(topic, 2, 1);
        final List<ProducerRecord<String, String>> records = IntStream.range(0, 50)
            .mapToObj(i -> new ProducerRecord<>(topic, "k" + i, "v" + i)).toList();
        final Map<String, Object> producerConfig = ClientWorkloads.stringProducerConfig(kafka.proxy().advertisedBootstrapServers(FIRST));
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        final Map<String, Object> consumerConfig = ClientWorkloads.stringConsumerConfig(kafka.proxy().advertisedBootstrapServers(SECOND));
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "two-listeners-group");

        // When: produced through the first listener, consumed through the second
        ClientWorkloads.sendAll(producerConfig, records);
        final List<ConsumerRecord<String, String>> consumed = ClientWorkloads.consume(topic, consumerConfig, records.size());

        // Then: every record crossed; the node is listening on both listeners, under two different ports
        assertThat(consumed).extracting(ConsumerRecord::value)
            .containsExactlyInAnyOrderElementsOf(records.stream().map(ProducerRecord::value).toList());
        final BrokerNode onFirst = node(kafka.proxy().nodes(FIRST));
        final BrokerNode onSecond = node(kafka.proxy().nodes(SECOND));
        assertThat(onFirst.state()).isEqualTo(BrokerNodeRegistry.ListenerState.LISTENING);
        assertThat(onSecond.state()).isEqualTo(BrokerNodeRegistry.ListenerState.LISTENING);
        assertThat(onSecond.proxyPort()).isNotEqualTo(onFirst.proxyPort());
        assertThat(kafka.proxy().bootstrapAddress(SECOND).getPort()).isNotEqualTo(kafka.proxy().bootstrapAddress(FIRST).getPort());

        // And: what each listener's clients were told names only that listener's node ports
        final List<String> firstEndpoints = new BrokerAddressAssertions(kafka, FIRST).assertNoBrokerAddress(responsesOn(FIRST));
        final List<String> secondEndpoints = new BrokerAddressAssertions(kafka, SECOND).assertNoBrokerAddress(responsesOn(SECOND));
        assertThat(firstEndpoints).isNotEmpty().allSatisfy(endpoint -> assertThat(endpoint).endsWith(":" + onFirst.proxyPort()));
        assertThat(secondEndpoints).isNotEmpty().allSatisfy(endpoint -> assertThat(endpoint).endsWith(":" + onSecond.proxyPort()));
        assertThat(secondEndpoints).anySatisfy(endpoint -> assertThat(endpoint).startsWith(ApiKeys.FIND_COORDINATOR.name + ":"));
    }

    @Test
    void aListenerThatCannotBindShouldStopTheStartNamingItsPath()
    {
        // Given: a second proxy whose second listener wants the port the running one's second listener holds
        final int taken = kafka.proxy().bootstrapAddress(SECOND).getPort();
        final ProxyConfig config = ProxiedKafka.proxyConfig(kafka.upstream().bootstrapServers()).toBuilder()
            .listeners(List.of(new ListenerConfig(SECOND, new HostPort(ProxiedKafka.ADVERTISED_HOST, taken),
                ProxiedKafka.ADVERTISED_HOST, new NodePortsConfig(0, 1), null)))
            .build();

        // When / Then
        assertThatThrownBy(() -> KafkaProxy.builder(config).start().close())
            .isInstanceOf(KafkaProxy.ProxyStartException.class)
            .hasMessageStartingWith("cannot bind the bootstrap listener: listeners[0].bindAddress=" +
                ProxiedKafka.ADVERTISED_HOST + ":" + taken + ": ");
    }

    private static BrokerNode node(final BrokerNodeRegistry registry)
    {
        assertThat(registry.nodes()).hasSize(1);
        return registry.nodes().get(0);
    }

    /** The responses sent on a listener's bootstrap port and node ports. */
    private static List<CapturedResponse> responsesOn(final String listenerName)
    {
        final Set<Integer> ports = kafka.proxy().nodes(listenerName).nodes().stream().map(BrokerNode::proxyPort)
            .collect(Collectors.toSet());
        ports.add(kafka.proxy().bootstrapAddress(listenerName).getPort());
        final List<CapturedResponse> responses = new ArrayList<>();
        CAPTURES.forEach((port, capture) ->
        {
            if (ports.contains(port))
            {
                responses.addAll(capture.responses());
            }
        });
        return responses;
    }
}
