package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.ChildProcessKafkaBroker;
import io.kafkaproxy.proxy.testing.BrokerCluster;

import java.util.List;
import java.util.Map;

/**
 * The transparent-proxy contract against the Kafka 3.9 broker line, in a child JVM because its classes clash
 * with the Kafka 4 classes of this one. 3.9 still serves the oldest clients.
 */
class TransparentProxyKafka39IT extends TransparentProxyContract
{
    @Override
    BrokerCluster startBrokerCluster(final Map<String, String> brokerOverrides)
    {
        return ChildProcessKafkaBroker.startKafka39(brokerOverrides);
    }

    @Override
    List<String> legacyClientVersions()
    {
        return List.of("0.11.0.3", "2.8.2");
    }

    @Override
    String groupProtocol()
    {
        return "classic";
    }
}
