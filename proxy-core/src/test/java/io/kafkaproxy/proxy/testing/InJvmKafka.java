package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.demo.EmbeddedKafkaCluster;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.apache.kafka.common.utils.internals.Exit;

import java.util.List;
import java.util.Map;

/**
 * The current Kafka broker line, in this JVM: the proxy's own {@link EmbeddedKafkaCluster}.
 */
public final class InJvmKafka implements BrokerCluster
{
    static
    {
        // A node whose Raft client does not shut down in time under load asks Kafka's Exit to end the process, which
        // in a test JVM ends every test class after it (one clean-clone run, after SniRoutingIT's three nodes had
        // stopped): the node's thread gets an exception instead, as in Kafka's own test harness.
        Exit.setExitProcedure((status, message) ->
        {
            throw new IllegalStateException("an in-JVM Kafka node asked to exit the JVM: status=" + status + ", " + message);
        });
        Exit.setHaltProcedure((status, message) ->
        {
            throw new IllegalStateException("an in-JVM Kafka node asked to halt the JVM: status=" + status + ", " + message);
        });
    }

    private final EmbeddedKafkaCluster cluster;

    private InJvmKafka(final EmbeddedKafkaCluster cluster)
    {
        this.cluster = cluster;
    }

    /**
     * Starts a cluster.
     *
     * @param nodeIds         the node ids.
     * @param brokerOverrides broker settings.
     * @return the running cluster.
     */
    public static InJvmKafka start(final List<Integer> nodeIds, final Map<String, String> brokerOverrides)
    {
        return new InJvmKafka(EmbeddedKafkaCluster.start(nodeIds, brokerOverrides));
    }

    /**
     * The cluster, to stop and start its nodes.
     *
     * @return the embedded cluster.
     */
    public EmbeddedKafkaCluster cluster()
    {
        return cluster;
    }

    @Override
    public String bootstrapServers()
    {
        return cluster.bootstrapServers();
    }

    @Override
    public List<Integer> allPorts()
    {
        return cluster.allPorts();
    }

    @Override
    public String description()
    {
        return "Kafka " + AppInfoParser.getVersion() + " in-JVM";
    }

    @Override
    public void close()
    {
        cluster.close();
    }
}
