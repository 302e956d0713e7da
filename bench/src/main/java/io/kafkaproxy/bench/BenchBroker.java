package io.kafkaproxy.bench;

import io.kafkaproxy.demo.EmbeddedKafkaCluster;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * A single-node KRaft broker in its own JVM, for {@link EndToEndBenchmark}: the broker's CPU and memory stay out
 * of the figures taken from the proxy's process. Prints {@code BROKER READY host:port} and runs until killed.
 */
public final class BenchBroker
{
    private BenchBroker()
    {
    }

    /**
     * Starts the broker.
     *
     * @param args optionally a properties file of further broker settings (an SSL listener's).
     * @throws Exception if the settings file cannot be read; otherwise never in practice: the broker runs until the
     *                   JVM is stopped.
     */
    public static void main(final String[] args) throws Exception
    {
        // Deleted topics go at once, so that three rounds of gigabyte topics do not fill the disk.
        final Map<String, String> overrides = new HashMap<>(Map.of("log.segment.delete.delay.ms", "0", "file.delete.delay.ms", "0"));
        if (args.length > 0)
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(args[0])))
            {
                properties.load(reader);
            }
            properties.forEach((key, value) -> overrides.put((String)key, (String)value));
        }
        final EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(java.util.List.of(1), overrides);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-broker-shutdown"));
        System.out.println("BROKER READY " + cluster.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
