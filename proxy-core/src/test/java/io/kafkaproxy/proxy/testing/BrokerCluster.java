package io.kafkaproxy.proxy.testing;

import java.util.List;

/**
 * A real Kafka cluster the proxy fronts in a test, whichever broker line and however it runs.
 */
public interface BrokerCluster extends AutoCloseable
{
    /**
     * The cluster's own bootstrap servers.
     *
     * @return {@code host:port,...}.
     */
    String bootstrapServers();

    /**
     * Every port the cluster listens on; none may ever reach a client.
     *
     * @return broker and controller ports.
     */
    List<Integer> allPorts();

    /**
     * A short description for test names and failure messages.
     *
     * @return for example {@code Kafka 4.4 in-JVM}.
     */
    String description();

    @Override
    void close();
}
