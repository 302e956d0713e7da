package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP gateway in front of a real broker: Confluent REST Proxy v2 and v3 callers (Java's HttpClient, curl) produce
 * and read metadata through the proxy's HTTP listener, and their records are in Kafka.
 */
class HttpGatewayIT
{
    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndGateway()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> config.toBuilder()
            .http(HttpConfig.of(new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), "1MiB", null, null, null))
            .gateway(GatewayConfig.of(GatewayConfig.Producer.of(null, null, null, "8MiB", null, null), null))
            .build(), pipeline -> { });
    }

    @AfterAll
    static void stop()
    {
        kafka.close();
    }

    @Test
    void shouldBindTheHttpListenerAndAnswerUnknownPathsInRestProxyForm() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        // When
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/no/such/path")).build(),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        assertThat(kafka.proxy().meterRegistry().get(GatewayMetrics.REQUESTS).tag("route", "GET unmatched").tag("status", "404")
            .timer().count()).isEqualTo(1);
        assertThat(kafka.proxy().meterRegistry().get(GatewayMetrics.SESSIONS).tag("protocol", "http").gauge().value()).isEqualTo(1);
    }

    private static URI uri(final String path)
    {
        return URI.create("http://" + ProxiedKafka.ADVERTISED_HOST + ":" + kafka.proxy().gateway().httpAddress().getPort() + path);
    }
}
