package io.kafkaproxy.bench;

import io.kafkaproxy.demo.EmbeddedKafkaCluster;

import java.util.Map;
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
     * @param args unused.
     * @throws InterruptedException never in practice: the broker runs until the JVM is stopped.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        // Deleted topics go at once, so that three rounds of gigabyte topics do not fill the disk.
        final EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(java.util.List.of(1),
            Map.of("log.segment.delete.delay.ms", "0", "file.delete.delay.ms", "0"));
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-broker-shutdown"));
        System.out.println("BROKER READY " + cluster.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
