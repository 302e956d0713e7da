package io.kafkaproxy.proxy.testing;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The settings of a single-node KRaft broker (broker and controller in one process) on loopback, for the tests that
 * run Kafka in a child JVM: one listener of each kind, internal topics with one replica, no rebalance delay.
 */
final class SingleNodeBrokerProperties
{
    private SingleNodeBrokerProperties()
    {
    }

    /**
     * The settings common to every line of Kafka the tests run this way.
     *
     * @param directory      where the broker keeps its data (in {@code data/}).
     * @param brokerPort     the PLAINTEXT listener's port.
     * @param controllerPort the CONTROLLER listener's port.
     * @return new properties, to add version-specific settings and overrides to.
     */
    static Properties of(final Path directory, final int brokerPort, final int controllerPort)
    {
        final Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        config.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", directory.resolve("data").toString());
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "5");
        config.put("group.initial.rebalance.delay.ms", "0");
        return config;
    }
}
