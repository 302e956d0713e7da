package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Grafana dashboard shipped in {@code dashboards/} queries only what the proxy exports: every metric its PromQL
 * names is on {@code /metrics} of a proxy that has carried a little traffic, a denial and a refused connection.
 */
class DashboardMetricsIT
{
    private static final Path DASHBOARD = Path.of("..", "dashboards", "kafka-proxy.json");
    // The proxy's own and the JVM's metric names; PromQL functions, keywords and label names never start like this.
    private static final Pattern METRIC = Pattern.compile("\\b(?:kafka_proxy|jvm|process)_[a-z0-9_]+\\b");
    private static final String POLICY = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: "*"
              resourceType: topic
              resourceName: dashboard-denied
              operations: [write]
        quotas:
          - principal: raw-probe
            maxConnections: 1
        """;

    @Test
    void everyMetricTheDashboardQueriesShouldBeExported() throws Exception
    {
        // Given
        final Set<String> queried = metricsQueriedBy(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(20);

        try (ProxiedKafka kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), PolicyConfigs.withPolicy(POLICY),
            pipeline -> { }))
        {
            // When: traffic for the per-api meters, a denied produce, a connection over its limit
            kafka.createTopic("dashboard", 1, 1);
            kafka.createTopic("dashboard-denied", 1, 1);
            ClientWorkloads.sendAll(kafka.producerConfig(), List.of(new ProducerRecord<>("dashboard", "a"), new ProducerRecord<>("dashboard", "b")));
            ClientWorkloads.consume("dashboard", kafka.consumerConfig("dashboard"), 2);
            assertThatThrownBy(() -> ClientWorkloads.sendAll(kafka.producerConfig(), List.of(new ProducerRecord<>("dashboard-denied", "x"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            refuseASecondConnection(kafka);
            final String exposition = scrape(kafka);

            // Then
            final Set<String> exported = exported(exposition);
            assertThat(queried).allSatisfy(name -> assertThat(exported).as("exported metrics").contains(name));
        }
    }

    private static Set<String> metricsQueriedBy(final JsonNode dashboard)
    {
        final Set<String> names = new TreeSet<>();
        for (final JsonNode expr : dashboard.findValues("expr"))
        {
            final Matcher matcher = METRIC.matcher(expr.asText());
            while (matcher.find())
            {
                names.add(matcher.group());
            }
        }
        return names;
    }

    private static Set<String> exported(final String exposition)
    {
        final Set<String> names = new TreeSet<>();
        exposition.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
            .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    private static void refuseASecondConnection(final ProxiedKafka kafka) throws Exception
    {
        try (RawKafkaConnection first = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
             RawKafkaConnection second = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
        {
            first.sendApiVersionsV0(1);
            first.readFrame();
            second.sendApiVersionsV0(1);
            assertThat(second.closedByPeer()).as("the principal's second connection is refused").isTrue();
        }
    }

    private static String scrape(final ProxiedKafka kafka) throws Exception
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        final URI uri = URI.create("http://127.0.0.1:" + kafka.proxy().adminAddress().getPort() + "/metrics");
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
