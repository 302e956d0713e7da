package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.config.GatewayConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.gateway.GatewayMetrics;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP gateway in front of a real broker: Confluent REST Proxy v2 and v3 callers (Java's HttpClient, curl) produce
 * and read metadata through the proxy's HTTP listener, and their records are in Kafka. Answers are compared field by
 * field with REST Proxy's documented examples.
 */
class HttpGatewayIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V2_JSON = "application/vnd.kafka.json.v2+json";
    private static final String V2_BINARY = "application/vnd.kafka.binary.v2+json";
    private static final String V2 = "application/vnd.kafka.v2+json";

    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafkaAndGateway()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> config.toBuilder()
            .http(HttpConfig.of(new HostPort(ProxiedKafka.ADVERTISED_HOST, 0), "64KiB", null, null, null))
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
        final HttpClient client = http11();

        // When
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/no/such/path")).build(),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        // Counted on the event loop once the answer is written: the client may read it first.
        await().untilAsserted(() -> assertThat(kafka.proxy().meterRegistry().find(GatewayMetrics.REQUESTS).tag("route", "GET unmatched")
            .tag("status", "404").timer()).isNotNull().extracting(timer -> timer.count()).isEqualTo(1L));
        assertThat(kafka.proxy().meterRegistry().get(GatewayMetrics.SESSIONS).tag("protocol", "http").gauge().value()).isPositive();
    }

    @Test
    void shouldProduceV2JsonRecordsAndAnswerTheirOffsetsOnceKafkaHasThem() throws Exception
    {
        // Given
        final String topic = "http-v2-json";
        kafka.createTopic(topic, 1, 1);
        final String body = "{\"records\":[{\"key\":\"somekey\",\"value\":{\"foo\":\"bar\"}}," +
            "{\"value\":[\"foo\",\"bar\"]},{\"value\":53.5}]}";

        // When
        final HttpResponse<String> response = http11().send(post("/topics/" + topic, V2_JSON, body), HttpResponse.BodyHandlers.ofString());

        // Then: REST Proxy's documented answer, field by field
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(V2);
        final JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.fieldNames()).toIterable().containsExactly("offsets", "key_schema_id", "value_schema_id");
        assertThat(answer.get("key_schema_id").isNull()).isTrue();
        assertThat(answer.get("value_schema_id").isNull()).isTrue();
        assertThat(answer.get("offsets")).hasSize(3);
        for (int i = 0; i < 3; i++)
        {
            final JsonNode offset = answer.get("offsets").get(i);
            assertThat(offset.fieldNames()).toIterable().containsExactly("partition", "offset", "error_code", "error");
            assertThat(offset.get("partition").asInt()).isZero();
            assertThat(offset.get("offset").asLong()).isEqualTo(i);
            assertThat(offset.get("error_code").isNull()).isTrue();
            assertThat(offset.get("error").isNull()).isTrue();
        }
        final List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 3);
        assertThat(records).extracting(record -> text(record.key())).containsExactly("\"somekey\"", null, null);
        assertThat(records).extracting(record -> text(record.value())).containsExactly("{\"foo\":\"bar\"}", "[\"foo\",\"bar\"]", "53.5");
    }

    @Test
    void shouldProduceV2BinaryRecordsToAGivenPartition() throws Exception
    {
        // Given
        final String topic = "http-v2-binary";
        kafka.createTopic(topic, 3, 1);
        final String body = "{\"records\":[{\"key\":\"" + base64("k1") + "\",\"value\":\"" + base64("v1") + "\"},{\"value\":\"" +
            base64("v2") + "\",\"partition\":0}]}";

        // When
        final HttpResponse<String> toPartition = http11().send(post("/topics/" + topic + "/partitions/2", V2_BINARY, body),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> chosenInBody = http11().send(post("/topics/" + topic, V2, "{\"records\":[{\"value\":\"" +
            base64("v3") + "\",\"partition\":1}]}"), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(toPartition.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(toPartition.body()).get("offsets")).extracting(offset -> offset.get("partition").asInt())
            .containsExactly(2, 2);
        assertThat(JSON.readTree(chosenInBody.body()).get("offsets").get(0).get("partition").asInt()).isEqualTo(1);
        final List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 3);
        assertThat(records).extracting(record -> record.partition() + ":" + text(record.key()) + "=" + text(record.value()))
            .containsExactlyInAnyOrder("2:k1=v1", "2:null=v2", "1:null=v3");
    }

    @Test
    void shouldCarryTheW3cTraceContextIntoEveryRecord() throws Exception
    {
        // Given
        final String topic = "http-v2-trace";
        kafka.createTopic(topic, 1, 1);
        final String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        // When
        final HttpResponse<String> response = http11().send(HttpRequest.newBuilder(uri("/topics/" + topic))
            .header("Content-Type", V2_JSON).header("traceparent", traceparent).header("tracestate", "congo=t61rcWkgMzE")
            .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":1},{\"value\":2}]}")).build(),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        final List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 2);
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            assertThat(text(record.headers().lastHeader("traceparent").value())).isEqualTo(traceparent);
            assertThat(text(record.headers().lastHeader("tracestate").value())).isEqualTo("congo=t61rcWkgMzE");
        }
    }

    @Test
    void shouldDescribeTopicsByBrokerIdWithoutBrokerAddresses() throws Exception
    {
        // Given
        final String topic = "http-v2-metadata";
        kafka.createTopic(topic, 2, 1);
        final HttpClient client = http11();

        // When
        final HttpResponse<String> list = client.send(get("/topics"), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> describe = client.send(get("/topics/" + topic), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> partitions = client.send(get("/topics/" + topic + "/partitions"), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> partition = client.send(get("/topics/" + topic + "/partitions/1"), HttpResponse.BodyHandlers.ofString());

        // Then: the documented shapes ({"name","configs","partitions":[{"partition","leader","replicas":[{"broker","leader","in_sync"}]}]})
        assertThat(JSON.readTree(list.body())).extracting(JsonNode::asText).contains(topic);
        final JsonNode topicAnswer = JSON.readTree(describe.body());
        assertThat(topicAnswer.fieldNames()).toIterable().containsExactly("name", "configs", "partitions");
        assertThat(topicAnswer.get("name").asText()).isEqualTo(topic);
        assertThat(topicAnswer.get("configs").get("cleanup.policy").asText()).isEqualTo("delete");
        assertThat(topicAnswer.get("partitions")).hasSize(2);
        final JsonNode first = JSON.readTree(partitions.body()).get(0);
        assertThat(first.fieldNames()).toIterable().containsExactly("partition", "leader", "replicas");
        assertThat(first.get("leader").asInt()).isEqualTo(1);
        assertThat(first.get("replicas").get(0).fieldNames()).toIterable().containsExactly("broker", "leader", "in_sync");
        assertThat(first.get("replicas").get(0).get("broker").asInt()).isEqualTo(1);
        assertThat(first.get("replicas").get(0).get("leader").asBoolean()).isTrue();
        assertThat(first.get("replicas").get(0).get("in_sync").asBoolean()).isTrue();
        assertThat(JSON.readTree(partition.body()).get("partition").asInt()).isEqualTo(1);
        final String upstreamPort = kafka.upstream().bootstrapServers().split(":")[1];
        assertThat(List.of(describe.body(), partitions.body(), partition.body())).noneMatch(text -> text.contains(upstreamPort) ||
            text.contains("localhost"));
    }

    @Test
    void shouldRefuseBadInputWithRestProxyCodesAndKeepTheConnection() throws Exception
    {
        // Given
        final String topic = "http-v2-bad-input";
        kafka.createTopic(topic, 1, 1);
        final HttpClient client = http11();
        client.send(get("/topics"), HttpResponse.BodyHandlers.ofString());
        final double connections = openConnections();
        final double errors = errorCount();

        // When
        final List<HttpResponse<String>> answers = new ArrayList<>();
        answers.add(client.send(post("/topics/" + topic, V2_JSON, "{\"records\":[{\"value\":"), HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic, "text/plain", "{}"), HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic, V2_BINARY, "{\"records\":[{\"value\":\"not base64!\"}]}"),
            HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic, V2_BINARY, "{\"records\":[{\"key\":\"%%%\",\"value\":null}]}"),
            HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/http-v2-no-such-topic", V2_JSON, "{\"records\":[{\"value\":1}]}"),
            HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic + "/partitions/7", V2_JSON, "{\"records\":[{\"value\":1}]}"),
            HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic, V2_JSON, "{\"records\":[{\"value\":\"" + "x".repeat(70_000) + "\"}]}"),
            HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(post("/topics/" + topic, V2_JSON, "{\"records\":[]}"), HttpResponse.BodyHandlers.ofString()));
        answers.add(client.send(HttpRequest.newBuilder(uri("/topics")).header("Accept", "text/html").build(),
            HttpResponse.BodyHandlers.ofString()));
        final HttpResponse<String> good = client.send(post("/topics/" + topic, V2_JSON, "{\"records\":[{\"value\":1}]}"),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(400, 415, 422, 422, 404, 404, 413, 422, 406);
        assertThat(answers).extracting(answer -> JSON.readTree(answer.body()).get("error_code").asInt())
            .containsExactly(400, 415, 42202, 42201, 40401, 40402, 413, 422, 406);
        assertThat(JSON.readTree(answers.get(4).body()).get("message").asText()).isEqualTo("Topic not found.");
        assertThat(JSON.readTree(answers.get(5).body()).get("message").asText()).isEqualTo("Partition not found.");
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(openConnections()).isEqualTo(connections);
        await().untilAsserted(() -> assertThat(errorCount() - errors).isEqualTo(9));
    }

    @Test
    void shouldServeRestV2OverH2c() throws Exception
    {
        // Given
        final String topic = "http-v2-h2c";
        kafka.createTopic(topic, 1, 1);
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        client.send(get("/topics"), HttpResponse.BodyHandlers.ofString());

        // When
        final HttpResponse<String> response = client.send(post("/topics/" + topic, V2_JSON, "{\"records\":[{\"value\":\"h2c\"}]}"),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(consume(topic, 1)).extracting(record -> text(record.value())).containsExactly("\"h2c\"");
    }

    @Test
    void shouldProduceV2RecordsWithCurl() throws Exception
    {
        // Given
        assumeTrue(ExternalCommand.run(List.of("curl", "--version"), "").exitCode() == 0, "curl is not installed");
        final String topic = "http-v2-curl";
        kafka.createTopic(topic, 1, 1);

        // When: the REST Proxy documentation's own example
        final ExternalCommand.Result result = ExternalCommand.run(List.of("curl", "-s", "-X", "POST",
            "-H", "Content-Type: application/vnd.kafka.json.v2+json", "-H", "Accept: application/vnd.kafka.v2+json",
            "--data", "{\"records\":[{\"value\":{\"foo\":\"bar\"}}]}", uri("/topics/" + topic).toString()), "");

        // Then
        assertThat(result.exitCode()).isZero();
        assertThat(JSON.readTree(result.output())).isEqualTo(JSON.readTree(
            "{\"offsets\":[{\"partition\":0,\"offset\":0,\"error_code\":null,\"error\":null}]," +
            "\"key_schema_id\":null,\"value_schema_id\":null}"));
        assertThat(consume(topic, 1)).extracting(record -> text(record.value())).containsExactly("{\"foo\":\"bar\"}");
    }

    @Test
    void shouldTakeTenThousandRecordsFromAHundredKeepAliveClientsExactlyOnce() throws Exception
    {
        // Given
        final String topic = "http-v2-many-clients";
        kafka.createTopic(topic, 4, 1);
        final int clients = 100;
        final int requestsPerClient = 10;
        final int recordsPerRequest = 10;
        final ExecutorService threads = Executors.newFixedThreadPool(clients);
        // One record to each partition first: the shared producer's first batch to a brand-new partition is then not
        // racing later ones (an upstream idempotent-producer edge, seen once under load as OutOfOrderSequence).
        final HttpResponse<String> warmUp = http11().send(post("/topics/" + topic, V2_JSON,
            "{\"records\":[{\"key\":\"warm-0\",\"partition\":0},{\"key\":\"warm-1\",\"partition\":1}," +
            "{\"key\":\"warm-2\",\"partition\":2},{\"key\":\"warm-3\",\"partition\":3}]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(warmUp.statusCode()).isEqualTo(200);

        // When
        final java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final List<Future<Integer>> sent = new ArrayList<>();
        for (int c = 0; c < clients; c++)
        {
            final int clientIndex = c;
            sent.add(threads.submit(() ->
            {
                final HttpClient client = http11();
                int ok = 0;
                for (int r = 0; r < requestsPerClient; r++)
                {
                    final StringBuilder body = new StringBuilder("{\"records\":[");
                    for (int i = 0; i < recordsPerRequest; i++)
                    {
                        body.append(i == 0 ? "" : ",").append("{\"key\":\"").append(clientIndex).append('-').append(r).append('-').append(i)
                            .append("\",\"value\":").append(i).append('}');
                    }
                    final HttpResponse<String> response = client.send(post("/topics/" + topic, V2_JSON, body.append("]}").toString()),
                        HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200)
                    {
                        failures.add(response.statusCode() + " " + response.body());
                        continue;
                    }
                    for (final JsonNode offset : JSON.readTree(response.body()).get("offsets"))
                    {
                        if (offset.get("error_code").isNull())
                        {
                            ok++;
                        }
                        else
                        {
                            failures.add(offset.toString());
                        }
                    }
                }
                return ok;
            }));
        }
        int acknowledged = 0;
        for (final Future<Integer> client : sent)
        {
            acknowledged += client.get();
        }
        threads.shutdown();

        // Then
        assertThat(failures).as("requests or records refused").isEmpty();
        assertThat(acknowledged).isEqualTo(10_000);
        final List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 10_004);
        final Set<String> keys = new HashSet<>();
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            keys.add(text(record.key()));
        }
        assertThat(records).hasSize(10_004);
        assertThat(keys).hasSize(10_004);
    }

    @Test
    void shouldProduceAV3RecordAndAnswerWithItsDeliveryReport() throws Exception
    {
        // Given: REST Proxy's documented request
        final String topic = "http-v3-single";
        kafka.createTopic(topic, 2, 1);
        final String body = "{\"partition_id\":1,\"headers\":[{\"name\":\"Header-1\",\"value\":\"SGVhZGVyLTE=\"}]," +
            "\"key\":{\"type\":\"BINARY\",\"data\":\"Zm9vYmFy\"},\"value\":{\"type\":\"JSON\",\"data\":{\"foo\":\"bar\"}}}";

        // When
        final HttpResponse<String> response = http11().send(post(v3Records(topic), "application/json", body),
            HttpResponse.BodyHandlers.ofString());

        // Then: the documented delivery report, field by field
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        final JsonNode report = JSON.readTree(response.body());
        assertThat(report.fieldNames()).toIterable()
            .containsExactly("error_code", "cluster_id", "topic_name", "partition_id", "offset", "timestamp", "key", "value");
        assertThat(report.get("error_code").asInt()).isEqualTo(200);
        assertThat(report.get("cluster_id").asText()).isEqualTo(clusterId());
        assertThat(report.get("topic_name").asText()).isEqualTo(topic);
        assertThat(report.get("partition_id").asInt()).isEqualTo(1);
        assertThat(report.get("offset").asLong()).isZero();
        assertThat(java.time.Instant.parse(report.get("timestamp").asText())).isNotNull();
        assertThat(report.get("key")).isEqualTo(JSON.readTree("{\"type\":\"BINARY\",\"size\":6}"));
        assertThat(report.get("value")).isEqualTo(JSON.readTree("{\"type\":\"JSON\",\"size\":13}"));
        final ConsumerRecord<byte[], byte[]> record = consume(topic, 1).get(0);
        assertThat(text(record.key())).isEqualTo("foobar");
        assertThat(text(record.value())).isEqualTo("{\"foo\":\"bar\"}");
        assertThat(text(record.headers().lastHeader("Header-1").value())).isEqualTo("Header-1");
    }

    @Test
    void shouldStreamV3RecordsWithOneDeliveryReportEachInOrder() throws Exception
    {
        // Given: concatenated records in a chunked body, one of them bad
        final String topic = "http-v3-streaming";
        kafka.createTopic(topic, 1, 1);
        final StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            stream.append(i == 250 ? "{\"value\":{\"type\":\"BINARY\",\"data\":\"not base64\"}}" :
                "{\"key\":{\"type\":\"STRING\",\"data\":\"k" + i + "\"},\"value\":{\"type\":\"JSON\",\"data\":" + i + "}}\n");
        }
        final byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);

        // When
        final HttpResponse<String> response = http11().send(HttpRequest.newBuilder(uri(v3Records(topic)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build(),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        final List<JsonNode> reports = new ArrayList<>();
        JSON.readerFor(JsonNode.class).<JsonNode>readValues(response.body()).forEachRemaining(reports::add);
        assertThat(reports).hasSize(500);
        long expectedOffset = 0;
        for (int i = 0; i < 500; i++)
        {
            final JsonNode report = reports.get(i);
            if (i == 250)
            {
                assertThat(report.get("error_code").asInt()).isEqualTo(400);
                assertThat(report.get("message").asText()).contains("base64");
                continue;
            }
            assertThat(report.get("error_code").asInt()).isEqualTo(200);
            assertThat(report.get("offset").asLong()).isEqualTo(expectedOffset++);
        }
        assertThat(consume(topic, 499)).extracting(record -> text(record.key())).startsWith("k0", "k1", "k2").hasSize(499);
    }

    @Test
    void shouldStreamV3RecordsWithCurl() throws Exception
    {
        // Given
        assumeTrue(ExternalCommand.run(List.of("curl", "--version"), "").exitCode() == 0, "curl is not installed");
        final String topic = "http-v3-curl";
        kafka.createTopic(topic, 1, 1);

        // When
        final ExternalCommand.Result result = ExternalCommand.run(List.of("curl", "-s", "-X", "POST",
            "-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
            uri(v3Records(topic)).toString()),
            "{\"value\":{\"type\":\"STRING\",\"data\":\"one\"}}\n{\"value\":{\"type\":\"STRING\",\"data\":\"two\"}}\n");

        // Then
        assertThat(result.exitCode()).isZero();
        final List<JsonNode> reports = new ArrayList<>();
        JSON.readerFor(JsonNode.class).<JsonNode>readValues(result.output()).forEachRemaining(reports::add);
        assertThat(reports).extracting(report -> report.get("error_code").asInt()).containsExactly(200, 200);
        assertThat(reports).extracting(report -> report.get("value").get("type").asText()).containsExactly("STRING", "STRING");
        assertThat(consume(topic, 2)).extracting(record -> text(record.value())).containsExactly("one", "two");
    }

    @Test
    void shouldRefuseV3RequestsForUnknownClustersAndTopicsOrOfTheWrongType() throws Exception
    {
        // Given
        final HttpClient client = http11();
        final String record = "{\"value\":{\"type\":\"STRING\",\"data\":\"x\"}}";

        // When
        final HttpResponse<String> unknownCluster = client.send(post("/v3/clusters/no-such-cluster/topics/x/records", "application/json",
            record), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> unknownTopic = client.send(post(v3Records("http-v3-no-such-topic"), "application/json", record),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> wrongType = client.send(post(v3Records("x"), "text/plain", record),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> clusters = client.send(get("/v3/clusters"), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(unknownCluster.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownCluster.body()).get("error_code").asInt()).isEqualTo(404);
        assertThat(unknownTopic.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownTopic.body()).get("error_code").asInt()).isEqualTo(404);
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(clusters.body()).get("data").get(0).get("cluster_id").asText()).isEqualTo(clusterId());
    }

    @Test
    void shouldAnswerABadV3RecordWithItsReportAndKeepTheConnection() throws Exception
    {
        // Given
        final String topic = "http-v3-bad-input";
        kafka.createTopic(topic, 1, 1);
        final HttpClient client = http11();
        client.send(get("/topics"), HttpResponse.BodyHandlers.ofString());
        final double connections = openConnections();

        // When
        final HttpResponse<String> malformed = client.send(post(v3Records(topic), "application/json", "{\"value\":{\"type\":"),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> avro = client.send(post(v3Records(topic), "application/json",
            "{\"value\":{\"type\":\"AVRO\",\"data\":1}}"), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> good = client.send(post(v3Records(topic), "application/json", "{\"value\":{\"data\":true}}"),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> described = client.send(get("/v3/clusters/" + clusterId() + "/topics/" + topic),
            HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).get("error_code").asInt()).isEqualTo(400);
        assertThat(avro.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(avro.body()).get("message").asText()).contains("AVRO is not supported");
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(good.body()).get("value")).isEqualTo(JSON.readTree("{\"type\":\"JSON\",\"size\":4}"));
        assertThat(openConnections()).isEqualTo(connections);
        final JsonNode topicResource = JSON.readTree(described.body());
        assertThat(topicResource.get("kind").asText()).isEqualTo("KafkaTopic");
        assertThat(topicResource.get("topic_name").asText()).isEqualTo(topic);
        assertThat(topicResource.get("partitions_count").asInt()).isEqualTo(1);
        assertThat(topicResource.get("metadata").get("self").asText()).endsWith("/v3/clusters/" + clusterId() + "/topics/" + topic);
    }

    private static String clusterId() throws Exception
    {
        return kafka.proxy().gateway().services().clusterId().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static String v3Records(final String topic) throws Exception
    {
        return "/v3/clusters/" + clusterId() + "/topics/" + topic + "/records";
    }

    private static double openConnections()
    {
        return kafka.proxy().meterRegistry().get(GatewayMetrics.SESSIONS).tag("protocol", "http").gauge().value();
    }

    private static double errorCount()
    {
        return kafka.proxy().meterRegistry().find(GatewayMetrics.ERRORS).tag("protocol", "http").counters().stream()
            .mapToDouble(counter -> counter.count()).sum();
    }

    static List<ConsumerRecord<byte[], byte[]>> consume(final String topic, final int expected)
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(null), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo partition : consumer.partitionsFor(topic))
            {
                partitions.add(new TopicPartition(topic, partition.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // Nothing beyond: each record once.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        records.sort(java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String base64(final String text)
    {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpClient http11()
    {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static HttpRequest get(final String path)
    {
        return HttpRequest.newBuilder(uri(path)).header("Accept", V2).build();
    }

    private static HttpRequest post(final String path, final String contentType, final String body)
    {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

    private static URI uri(final String path)
    {
        return URI.create("http://" + ProxiedKafka.ADVERTISED_HOST + ":" + kafka.proxy().gateway().httpAddress().getPort() + path);
    }
}
