package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.BrokerCluster;

import java.util.List;
import java.util.Map;

/**
 * The transparent-proxy contract against the current Kafka broker line, running in this JVM.
 */
class TransparentProxyIT extends TransparentProxyContract
{
    @Override
    BrokerCluster startBrokerCluster(final Map<String, String> brokerOverrides)
    {
        return InJvmKafka.start(List.of(1), brokerOverrides);
    }

    @Override
    List<String> legacyClientVersions()
    {
        // Kafka 4 brokers serve clients from 2.1 on (KIP-896).
        return List.of("2.8.2");
    }

    @Override
    String groupProtocol()
    {
        return "consumer";
    }
}
