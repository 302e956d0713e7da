package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.ExternalCommand.Result;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static io.kafkaproxy.proxy.testing.ExternalCommand.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Clients that share no code with the Java client: kcat (librdkafka) and kafka-python, both from Debian's
 * packages, which {@code .ci/run} installs. On a machine without them these tests are skipped, saying so.
 */
class NonJavaClientsIT
{
    private static final String KCAT = "kcat";
    private static final String PYTHON = "/usr/bin/python3";
    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndProxy()
    {
        kafka = ProxiedKafka.singleNode();
    }

    @AfterAll
    static void stopKafkaAndProxy()
    {
        kafka.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatShouldProduceAndConsumeWithEveryCodec(final String codec) throws Exception
    {
        // Given
        assumeTrue(run(List.of(KCAT, "-V"), "").exitCode() == 0, "kcat is not installed (apt-get install kcat)");
        final String topic = "kcat-" + codec;
        kafka.createTopic(topic, 1, 1);
        final StringBuilder messages = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            messages.append("kcat-").append(codec).append('-').append(i).append('\n');
        }

        // When
        final Result produced = run(List.of(KCAT, "-b", kafka.bootstrapServers(), "-P", "-t", topic, "-z", codec,
            "-X", "acks=all"), messages.toString());
        final Result consumed = run(List.of(KCAT, "-b", kafka.bootstrapServers(), "-C", "-t", topic,
            "-o", "beginning", "-e", "-q"), "");

        // Then
        assertThat(produced.exitCode()).as(produced.output()).isZero();
        assertThat(consumed.exitCode()).as(consumed.output()).isZero();
        assertThat(consumed.output().lines()).containsExactlyElementsOf(messages.toString().lines().toList());
    }

    @Test
    void kcatShouldSeeOnlyProxyAddressesInMetadata() throws Exception
    {
        // Given
        assumeTrue(run(List.of(KCAT, "-V"), "").exitCode() == 0, "kcat is not installed (apt-get install kcat)");

        // When
        final Result metadata = run(List.of(KCAT, "-b", kafka.bootstrapServers(), "-L"), "");

        // Then
        assertThat(metadata.exitCode()).as(metadata.output()).isZero();
        final int proxyPort = kafka.proxy().nodes().nodes().get(0).proxyPort();
        assertThat(metadata.output()).contains("broker 1 at " + ProxiedKafka.ADVERTISED_HOST + ":" + proxyPort);
        assertThat(metadata.output()).doesNotContain("localhost");
    }

    @Test
    void kafkaPythonShouldProduceConsumeInAGroupAndDescribeTheCluster() throws Exception
    {
        // Given
        assumeTrue(run(List.of(PYTHON, "-c", "import kafka"), "").exitCode() == 0,
            "kafka-python is not installed (apt-get install python3-kafka)");
        final Path script = Path.of("src", "test", "resources", "clients", "kafka_python_roundtrip.py");

        // When
        final Result result = run(List.of(PYTHON, script.toString(), kafka.bootstrapServers(), "kafka-python", "300"), "");

        // Then
        assertThat(result.exitCode()).as(result.output()).isZero();
        final int proxyPort = kafka.proxy().nodes().nodes().get(0).proxyPort();
        assertThat(result.output().lines()).contains(
            "broker " + ProxiedKafka.ADVERTISED_HOST + ":" + proxyPort,
            "consumed 300",
            "committed 300");
    }
}
