package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A kafka-clients producer and consumer over TLS in a child JVM whose host names come from a hosts file
 * ({@code -Djdk.net.hosts.file}), so that names such as {@code broker-1.sni.test} reach the proxy on loopback with
 * no DNS: the way to drive SNI routing with a real client, which names the host it connects to.
 *
 * <p>The child describes the cluster, produces records to a topic, consumes them all from the beginning, prints
 * what it saw and exits 0 when every record came back.
 */
public final class HostsFileKafkaClient
{
    /** What the child printed and how it ended. */
    public record Outcome(int exitCode, List<String> output)
    {
    }

    private HostsFileKafkaClient()
    {
    }

    /**
     * Runs the child JVM and waits for it.
     *
     * @param directory        where the hosts file and output go.
     * @param hostNames        the names to resolve to 127.0.0.1.
     * @param bootstrapServers the client's bootstrap servers, by name.
     * @param trustedPem       the PEM file of the authorities the client trusts.
     * @param topic            an existing topic.
     * @param records          how many records to produce and consume.
     * @return the outcome.
     * @throws IOException if the child cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static Outcome run(final Path directory, final List<String> hostNames, final String bootstrapServers,
        final Path trustedPem, final String topic, final int records) throws IOException, InterruptedException
    {
        final Path hosts = Files.writeString(directory.resolve("hosts"), "127.0.0.1 " + String.join(" ", hostNames) + "\n");
        final Path output = directory.resolve("client.log");
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-Djdk.net.hosts.file=" + hosts);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(HostsFileKafkaClient.class.getName());
        command.addAll(List.of(bootstrapServers, trustedPem.toString(), topic, Integer.toString(records)));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            return new Outcome(-1, Files.readAllLines(output));
        }
        return new Outcome(process.exitValue(), Files.readAllLines(output));
    }

    /**
     * The child's entry point.
     *
     * @param args bootstrap servers, trusted PEM file, topic, record count.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, Object> tls = new HashMap<>();
        tls.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        tls.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        tls.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        tls.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, args[1]);
        final String topic = args[2];
        final int count = Integer.parseInt(args[3]);
        try (Admin admin = Admin.create(tls))
        {
            for (final Node node : admin.describeCluster().nodes().get(60, TimeUnit.SECONDS))
            {
                System.out.println("node=" + node.id() + "@" + node.host() + ":" + node.port());
            }
        }
        final Map<String, Object> producerConfig = new HashMap<>(tls);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig))
        {
            for (int i = 0; i < count; i++)
            {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
            }
        }
        System.out.println("produced=" + count);
        final Map<String, Object> consumerConfig = new HashMap<>(tls);
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        final Set<String> values = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig))
        {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(partition -> new TopicPartition(topic, partition.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < count && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500)))
                {
                    values.add(record.value());
                }
            }
        }
        System.out.println("consumed=" + values.size());
        System.exit(values.size() == count ? 0 : 1);
    }
}
