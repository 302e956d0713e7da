package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.demo.EmbeddedKafkaCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kafka-proxy demo}: starts a single-node Kafka broker in this JVM and the proxy in front of it.
 *
 * <p>The broker classes are loaded here and only here; a production run never touches them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start an in-process Kafka broker and the proxy in front of it, then print the address to use.")
final class DemoCommand implements Callable<Integer>
{
    private static final Logger LOGGER = LoggerFactory.getLogger(DemoCommand.class);

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
        description = "Address of the proxy's bootstrap listener. Default ${DEFAULT-VALUE}.")
    HostPort listen;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9190",
        description = "Admin HTTP listener for /metrics, /healthz, /readyz. Default ${DEFAULT-VALUE}.")
    HostPort adminListen;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = "localhost:8082",
        description = "HTTP gateway: REST Proxy v2/v3 produce, SSE and WebSocket subscriptions. Default ${DEFAULT-VALUE}.")
    HostPort httpListen;

    @Option(names = "--mqtt-listen", paramLabel = "HOST:PORT", defaultValue = "localhost:1883",
        description = "MQTT 3.1.1/5.0 gateway. Default ${DEFAULT-VALUE}.")
    HostPort mqttListen;

    @Override
    public Integer call() throws ConfigException
    {
        final EmbeddedKafkaCluster cluster;
        try
        {
            cluster = EmbeddedKafkaCluster.startSingleNode();
        }
        catch (final NoClassDefFoundError e)
        {
            LOGGER.atError().log("the Kafka broker is not on the classpath; run the demo from the distribution " +
                "(bin/kafka-proxy demo), which adds lib/demo: " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "embedded-kafka-shutdown"));
        final ProxyOptions options = new ProxyOptions();
        options.listen = listen;
        options.advertisedHost = listen.host();
        options.adminListen = adminListen;
        options.httpListen = httpListen;
        options.mqttListen = mqttListen;
        final ProxyConfig config = options.toConfig(List.of(HostPort.parse(cluster.bootstrapServers())));
        return ProxyRunner.runUntilStopped(config, null, options::applyFlags, () -> System.out.printf(
            "%nkafka-proxy demo is running: a Kafka broker in this process, the proxy in front of it.%n" +
            "Point any Kafka client at it:  bootstrap.servers=%s%n" +
            "Publish and subscribe over HTTP: http://%s (REST Proxy v2/v3, GET /v1/stream/{topic} for SSE or WebSocket)%n" +
            "MQTT 3.1.1/5.0:                 %s%n" +
            "Stop with Ctrl-C.%n%n", config.listener().advertisedHost() + ":" + listen.port(), httpListen, mqttListen));
    }
}
