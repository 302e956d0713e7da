package io.kafkaproxy.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who an HTTP gateway client is, and what it may do: HTTP Basic against a users file, a Bearer JWT, a client
 * certificate on the TLS listener (h2 and HTTP/1.1 by ALPN); the proxy's ACLs (403/40301) and produce quotas
 * (429 with Retry-After) applied to those principals; no credentials, no service.
 */
class HttpGatewayAuthIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V2_JSON = "application/vnd.kafka.json.v2+json";
    private static final String TOPIC = "http-auth";
    private static final String RECORD = "{\"records\":[{\"value\":{\"hello\":\"world\"}}]}";

    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static TestJwtIssuer issuer;
    private static SSLContext anonymousTls;
    private static SSLContext carolTls;
    private static SSLContext malloryTls;

    @BeforeAll
    static void startKafkaAndGateway() throws Exception
    {
        final TestCertificates.Issued authority = TestCertificates.authority("http-auth-it");
        final TestCertificates.Issued server =
            TestCertificates.server(authority, "CN=kafka-proxy", ProxiedKafka.ADVERTISED_HOST, "localhost");
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.txt"),
            Map.of("alice", "alice-secret", "mallory", "mallory-secret", "greedy", "greedy-secret"));
        issuer = new TestJwtIssuer();
        final String yaml = "http:\n  bindAddress: " + ProxiedKafka.ADVERTISED_HOST + ":0\n" +
            "  tls:\n    certificate: " + server.writeCertificatePem(dir.resolve("server.pem")) + "\n" +
            "    privateKey: " + server.writeKeyPem(dir.resolve("server.key")) + "\n" +
            "    clientAuth: requested\n" +
            "    trustedCertificates: " + TestCertificates.writeTrustPem(dir.resolve("ca.pem"), authority.certificate()) + "\n" +
            "  auth:\n    usersFile: " + users + "\n" +
            "    oauthbearer: {jwksFile: " + issuer.writeJwks(dir.resolve("jwks.json")) + ", issuer: '" + TestJwtIssuer.ISSUER +
            "', audience: " + TestJwtIssuer.AUDIENCE + "}\n" +
            "gateway:\n  producer:\n    bufferMemory: 8MiB\n" +
            "acl:\n  defaultPolicy: allow\n  rules:\n" +
            "    - {principal: mallory, resourceType: topic, resourceName: '*', operations: [write], effect: deny}\n" +
            "    - {principal: 'CN=mallory', resourceType: topic, resourceName: '*', operations: [write], effect: deny}\n" +
            "quotas:\n  - principal: greedy\n    produceBytesPerSecond: 1KiB\n";
        final ProxyConfig gateway = PolicyConfigs.parse(yaml);
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), config -> PolicyConfigs.withPolicyOf(config, gateway)
            .toBuilder().http(gateway.http()).gateway(gateway.gateway()).build(), pipeline -> { });
        kafka.createTopic(TOPIC, 1, 1);
        anonymousTls = tls(authority, null);
        carolTls = tls(authority, TestCertificates.client(authority, "CN=carol").writeKeyStore(dir.resolve("carol.p12"), "PKCS12"));
        malloryTls = tls(authority, TestCertificates.client(authority, "CN=mallory").writeKeyStore(dir.resolve("mallory.p12"), "PKCS12"));
    }

    @AfterAll
    static void stop()
    {
        kafka.close();
    }

    @Test
    void shouldServeAUserOfTheUsersFileOverHttp2() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(anonymousTls).build();

        // When
        final HttpResponse<String> response = client.send(produce(basic("alice", "alice-secret")), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("offsets").get(0).get("error_code").isNull()).isTrue();
    }

    @Test
    void shouldAuthenticateAnHttp2RequestWithoutABody() throws Exception
    {
        // Given: a GET is one HEADERS frame, which arrives whole, while its Bearer token is checked on another thread
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(anonymousTls).build();

        // When
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/topics/" + TOPIC + "/partitions"))
            .header("Authorization", "Bearer " + issuer.token("dave")).build(), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get(0).get("partition").asInt()).isZero();
    }

    @Test
    void shouldRefuseWrongOrMissingCredentialsWithAChallenge() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(anonymousTls).build();

        // When
        final HttpResponse<String> wrong = client.send(produce(basic("alice", "not-her-password")), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> missing = client.send(produce(null), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> badToken = client.send(produce("Bearer not.a.jwt"), HttpResponse.BodyHandlers.ofString());

        // Then
        for (final HttpResponse<String> refused : List.of(wrong, missing, badToken))
        {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("www-authenticate"))
                .hasValue("Basic realm=\"kafka-proxy\", Bearer realm=\"kafka-proxy\"");
            final JsonNode body = JSON.readTree(refused.body());
            assertThat(body.get("error_code").asInt()).isEqualTo(40101);
            assertThat(body.get("message").asText()).doesNotContain("secret");
        }
    }

    @Test
    void shouldServeABearerToken() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(anonymousTls).build();

        // When
        final HttpResponse<String> response = client.send(produce("Bearer " + issuer.token("bob")), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldTakeThePrincipalOfAClientCertificate() throws Exception
    {
        // Given
        final HttpClient carol = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(carolTls).build();
        final HttpClient mallory = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(malloryTls).build();

        // When
        final HttpResponse<String> allowed = carol.send(produce(null), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> denied = mallory.send(produce(null), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(denied.body()).get("error_code").asInt()).isEqualTo(40301);
    }

    @Test
    void shouldApplyTheAclsToGatewayPrincipals() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(anonymousTls).build();

        // When
        final HttpResponse<String> denied = client.send(produce(basic("mallory", "mallory-secret")), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> mayDescribe = client.send(HttpRequest.newBuilder(uri("/topics/" + TOPIC))
            .header("Authorization", basic("mallory", "mallory-secret")).build(), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(denied.body())).isEqualTo(JSON.readTree(
            "{\"error_code\":40301,\"message\":\"Not authorized to access topics: [" + TOPIC + "]\"}"));
        assertThat(mayDescribe.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldTellAClientOverItsProduceQuotaToRetryLater() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(anonymousTls).build();
        final String large = "{\"records\":[{\"value\":\"" + "x".repeat(16 * 1024) + "\"}]}";

        // When
        final HttpResponse<String> throttled = client.send(HttpRequest.newBuilder(uri("/topics/" + TOPIC))
            .header("Content-Type", V2_JSON).header("Authorization", basic("greedy", "greedy-secret"))
            .POST(HttpRequest.BodyPublishers.ofString(large)).build(), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("retry-after")).isPresent();
        assertThat(Long.parseLong(throttled.headers().firstValue("retry-after").orElseThrow())).isPositive();
        assertThat(JSON.readTree(throttled.body()).get("error_code").asInt()).isEqualTo(42901);
    }

    @Test
    void shouldStreamV3RecordsOverHttp2() throws Exception
    {
        // Given: an HTTP/2 body without a length is a stream
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(anonymousTls).build();
        final String clusterId = kafka.proxy().gateway().services().clusterId().get(30, java.util.concurrent.TimeUnit.SECONDS);
        final byte[] records = ("{\"value\":{\"type\":\"STRING\",\"data\":\"a\"}}{\"partition_id\":9,\"value\":null}" +
            "{\"value\":{\"type\":\"STRING\",\"data\":\"b\"}}").getBytes(StandardCharsets.UTF_8);

        // When
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/v3/clusters/" + clusterId + "/topics/" + TOPIC +
                "/records"))
            .header("Content-Type", "application/json").header("Authorization", basic("alice", "alice-secret"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(records))).build(),
            HttpResponse.BodyHandlers.ofString());

        // Then: one report each, in order; the record for a partition that does not exist has its own 404
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        final List<JsonNode> reports = new java.util.ArrayList<>();
        JSON.readerFor(JsonNode.class).<JsonNode>readValues(response.body()).forEachRemaining(reports::add);
        assertThat(reports).extracting(report -> report.get("error_code").asInt()).containsExactly(200, 404, 200);
        assertThat(reports.get(2).get("offset").asLong()).isEqualTo(reports.get(0).get("offset").asLong() + 1);
    }

    private static HttpRequest produce(final String authorization)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri("/topics/" + TOPIC)).header("Content-Type", V2_JSON)
            .POST(HttpRequest.BodyPublishers.ofString(RECORD));
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static String basic(final String user, final String password)
    {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static URI uri(final String path)
    {
        return URI.create("https://" + ProxiedKafka.ADVERTISED_HOST + ":" + kafka.proxy().gateway().httpAddress().getPort() + path);
    }

    private static SSLContext tls(final TestCertificates.Issued authority, final Path keyStore) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.certificate());
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManagerFactory keyManagers = null;
        if (keyStore != null)
        {
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore))
            {
                keys.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, TestCertificates.PASSWORD.toCharArray());
        }
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }
}
