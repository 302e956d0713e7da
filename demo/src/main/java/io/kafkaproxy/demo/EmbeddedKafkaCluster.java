package io.kafkaproxy.demo;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A KRaft cluster of combined broker-and-controller nodes running in this JVM, on loopback.
 *
 * <p>Node ids are chosen by the caller and may be sparse and large. Every node keeps its ports and log
 * directory across {@link #stopNode} and {@link #startNode}, so a restarted node comes back as the same broker.
 * With three or more nodes the controller quorum survives the loss of one. Not thread safe: drive it from one
 * test or command thread.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable
{
    private final String clusterId = Uuid.randomUuid().toString();
    private final Path baseDirectory;
    private final Map<Integer, Node> nodes = new LinkedHashMap<>();

    private static final class Node
    {
        final int nodeId;
        final int brokerPort;
        final int controllerPort;
        final Path logDirectory;
        Map<String, String> config;
        KafkaRaftServer server;

        Node(final int nodeId, final int brokerPort, final int controllerPort, final Path logDirectory)
        {
            this.nodeId = nodeId;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.logDirectory = logDirectory;
        }
    }

    private EmbeddedKafkaCluster(final Path baseDirectory)
    {
        this.baseDirectory = baseDirectory;
    }

    /**
     * Starts a single-node cluster.
     *
     * @return the running cluster.
     */
    public static EmbeddedKafkaCluster startSingleNode()
    {
        return start(List.of(1), Map.of());
    }

    /**
     * Formats and starts a cluster.
     *
     * @param nodeIds         the node ids, each both broker and controller.
     * @param brokerOverrides broker settings applied to every node, over the defaults here.
     * @return the running cluster.
     * @throws UncheckedIOException if the storage cannot be created.
     * @throws IllegalStateException if formatting fails.
     */
    public static EmbeddedKafkaCluster start(final List<Integer> nodeIds, final Map<String, String> brokerOverrides)
    {
        final EmbeddedKafkaCluster cluster;
        try
        {
            cluster = new EmbeddedKafkaCluster(Files.createTempDirectory("kafka-proxy-embedded-kafka"));
            for (final int nodeId : nodeIds)
            {
                cluster.nodes.put(nodeId, new Node(nodeId, freePort(), freePort(),
                    Files.createDirectories(cluster.baseDirectory.resolve("node-" + nodeId))));
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final String voters = cluster.nodes.values().stream()
            .map(node -> node.nodeId + "@localhost:" + node.controllerPort)
            .collect(Collectors.joining(","));
        final int replicas = Math.min(3, nodeIds.size());
        for (final Node node : cluster.nodes.values())
        {
            final Map<String, String> config = new HashMap<>();
            config.put("process.roles", "broker,controller");
            config.put("node.id", Integer.toString(node.nodeId));
            config.put("controller.quorum.voters", voters);
            config.put("listeners", "PLAINTEXT://localhost:" + node.brokerPort + ",CONTROLLER://localhost:" + node.controllerPort);
            config.put("advertised.listeners", "PLAINTEXT://localhost:" + node.brokerPort);
            config.put("controller.listener.names", "CONTROLLER");
            config.put("inter.broker.listener.name", "PLAINTEXT");
            config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            config.put("log.dirs", node.logDirectory.toString());
            config.put("offsets.topic.replication.factor", Integer.toString(replicas));
            config.put("offsets.topic.num.partitions", "5");
            config.put("transaction.state.log.replication.factor", Integer.toString(replicas));
            config.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, replicas)));
            config.put("transaction.state.log.num.partitions", "5");
            config.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
            config.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, replicas)));
            config.put("group.initial.rebalance.delay.ms", "0");
            config.put("num.partitions", "1");
            config.put("default.replication.factor", Integer.toString(replicas));
            config.putAll(brokerOverrides);
            node.config = config;
            cluster.format(node);
        }
        try
        {
            // Together: a node's startup waits for an elected controller, which needs a majority of the voters.
            cluster.inParallel(cluster.nodes.keySet(), "start", cluster::startNode);
        }
        catch (final RuntimeException e)
        {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void format(final Node node)
    {
        final Path configFile = node.logDirectory.resolveSibling("node-" + node.nodeId + ".properties");
        final Properties properties = new Properties();
        properties.putAll(node.config);
        try (Writer writer = Files.newBufferedWriter(configFile))
        {
            properties.store(writer, "embedded kafka node " + node.nodeId);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final int result = StorageTool.execute(
            new String[] {"format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted"},
            new PrintStream(output, true, StandardCharsets.UTF_8));
        if (result != 0)
        {
            throw new IllegalStateException("kafka storage format failed: nodeId=" + node.nodeId + ", output=" +
                output.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Starts a node that was stopped; does nothing to a running node.
     *
     * @param nodeId the node id.
     */
    public void startNode(final int nodeId)
    {
        final Node node = node(nodeId);
        if (node.server != null)
        {
            return;
        }
        final KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(node.config, false), Time.SYSTEM);
        server.startup();
        node.server = server;
    }

    /**
     * Stops a node and waits until it has shut down; its storage stays for a restart.
     *
     * @param nodeId the node id.
     */
    public void stopNode(final int nodeId)
    {
        final Node node = node(nodeId);
        if (node.server == null)
        {
            return;
        }
        node.server.shutdown();
        node.server.awaitShutdown();
        node.server = null;
    }

    /**
     * The bootstrap servers of the running nodes.
     *
     * @return {@code localhost:port,...}.
     */
    public String bootstrapServers()
    {
        return nodes.values().stream()
            .filter(node -> node.server != null)
            .map(node -> "localhost:" + node.brokerPort)
            .collect(Collectors.joining(","));
    }

    /**
     * The node ids, in the order given at start.
     *
     * @return the node ids.
     */
    public List<Integer> nodeIds()
    {
        return new ArrayList<>(nodes.keySet());
    }

    /**
     * The port a node's broker listens on.
     *
     * @param nodeId the node id.
     * @return the broker port.
     */
    public int brokerPort(final int nodeId)
    {
        return node(nodeId).brokerPort;
    }

    /**
     * Every port the cluster listens on, broker and controller, of every node.
     *
     * @return the ports.
     */
    public List<Integer> allPorts()
    {
        final List<Integer> ports = new ArrayList<>();
        nodes.values().forEach(node ->
        {
            ports.add(node.brokerPort);
            ports.add(node.controllerPort);
        });
        return ports;
    }

    private Node node(final int nodeId)
    {
        final Node node = nodes.get(nodeId);
        if (node == null)
        {
            throw new IllegalArgumentException("no such node: nodeId=" + nodeId);
        }
        return node;
    }

    /**
     * Stops every node and deletes the storage.
     */
    @Override
    public void close()
    {
        // Together: a combined node shutting down after the quorum is already gone waits for a controller that
        // will never answer.
        try
        {
            inParallel(nodes.keySet(), "stop", this::stopNode);
        }
        finally
        {
            deleteRecursively(baseDirectory);
        }
    }

    private void inParallel(final Collection<Integer> nodeIds, final String action, final IntConsumer perNode)
    {
        final List<Thread> threads = new ArrayList<>();
        final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        for (final int nodeId : List.copyOf(nodeIds))
        {
            final Thread thread = new Thread(() ->
            {
                try
                {
                    perNode.accept(nodeId);
                }
                catch (final RuntimeException e)
                {
                    failures.add(e);
                }
            }, "embedded-kafka-" + action + "-" + nodeId);
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for kafka nodes to " + action, e);
            }
        }
        if (!failures.isEmpty())
        {
            final RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void deleteRecursively(final Path directory)
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException e)
        {
            // Temporary files; the OS reclaims them.
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
