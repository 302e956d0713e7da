package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The MQTT gateway over TLS: a client certificate gives the principal, a JWT password is checked as a bearer token,
 * and a client with neither is refused; the ACLs of those principals decide what they may publish.
 */
class MqttTlsGatewayIT
{
    private static final String MOSQUITTO_PUB = "mosquitto_pub";

    @TempDir
    static Path dir;

    private static ProxiedKafka kafka;
    private static InetSocketAddress mqtt;
    private static TestJwtIssuer issuer;
    private static Path caPem;
    private static Path deviceKeyStore;

    @BeforeAll
    static void startKafkaAndProxy() throws Exception
    {
        final TestCertificates.Issued ca = TestCertificates.authority("mqtt-it-ca");
        final TestCertificates.Issued server = TestCertificates.server(ca, "CN=kafka-proxy", TestCertificates.loopback(), "localhost");
        final TestCertificates.Issued device = TestCertificates.client(ca, "CN=device-1,O=example");
        caPem = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), ca.certificate());
        deviceKeyStore = device.writeKeyStore(dir.resolve("device.p12"), "PKCS12");
        issuer = new TestJwtIssuer();
        final ProxyConfig gateway = PolicyConfigs.parse(
            "mqtt:\n  bindAddress: 127.0.0.1:0\n" +
            "  tls:\n    certificate: " + server.writeCertificatePem(dir.resolve("server.pem")) + "\n" +
            "    privateKey: " + server.writeKeyPem(dir.resolve("server.key")) + "\n" +
            "    clientAuth: requested\n    trustedCertificates: " + caPem + "\n" +
            "    principalMappingRules: 'RULE:^CN=([^,]+),.*$/$1/,DEFAULT'\n" +
            "  auth:\n    oauthbearer:\n      jwksFile: " + issuer.writeJwks(dir.resolve("jwks.json")) + "\n" +
            "      issuer: " + TestJwtIssuer.ISSUER + "\n      audience: " + TestJwtIssuer.AUDIENCE + "\n" +
            "acl:\n  defaultPolicy: deny\n  rules:\n" +
            "    - {principal: device-1, resourceType: topic, resourceName: mqtt-tls.cert, operations: [write], effect: allow}\n" +
            "    - {principal: service-1, resourceType: topic, resourceName: mqtt-tls.jwt, operations: [write], effect: allow}\n" +
            "    - {principal: ANONYMOUS, resourceType: topic, resourceName: '*', operations: [all], effect: allow}\n" +
            "    - {principal: ANONYMOUS, resourceType: group, resourceName: '*', operations: [all], effect: allow}\n");
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()),
            config -> config.toBuilder().mqtt(gateway.mqtt()).build(), pipeline -> { });
        mqtt = kafka.proxy().gateway().mqttAddress();
        kafka.createTopic("mqtt-tls.cert", 1, 1);
        kafka.createTopic("mqtt-tls.jwt", 1, 1);
    }

    @AfterAll
    static void stop()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void shouldTakeThePrincipalFromTheClientCertificate() throws Exception
    {
        // Given
        final MqttClient client = new MqttClient("ssl://127.0.0.1:" + mqtt.getPort(), "device-1", new MemoryPersistence());
        final MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(mutualTls().getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(false);

        // When
        client.connect(options);
        try
        {
            client.publish("mqtt-tls/cert", "from device-1".getBytes(StandardCharsets.UTF_8), 1, false);
        }
        finally
        {
            client.disconnect();
            client.close();
        }

        // Then
        assertThat(consume("mqtt-tls.cert", 1)).containsExactly("from device-1");
    }

    @Test
    void shouldCheckAJwtPasswordAsABearerToken() throws Exception
    {
        // Given
        assumeMosquitto();

        // When
        final ExternalCommand.Result result = ExternalCommand.run(List.of(MOSQUITTO_PUB, "-h", "127.0.0.1",
            "-p", Integer.toString(mqtt.getPort()), "--cafile", caPem.toString(), "--insecure", "-V", "mqttv5",
            "-i", "service-1", "-u", "service-1", "-P", issuer.token("service-1"), "-q", "1", "-t", "mqtt-tls/jwt", "-m", "from a token"), "");

        // Then
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(consume("mqtt-tls.jwt", 1)).containsExactly("from a token");
    }

    @Test
    void shouldRefuseAClientWithNeitherCertificateNorCredentials() throws Exception
    {
        // Given
        assumeMosquitto();

        // When
        final ExternalCommand.Result result = ExternalCommand.run(List.of(MOSQUITTO_PUB, "-h", "127.0.0.1",
            "-p", Integer.toString(mqtt.getPort()), "--cafile", caPem.toString(), "--insecure", "-V", "mqttv311",
            "-i", "nobody", "-q", "1", "-t", "mqtt-tls/jwt", "-m", "never"), "");

        // Then
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).containsIgnoringCase("not authori");
    }

    private static SSLContext mutualTls() throws Exception
    {
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(deviceKeyStore))
        {
            keys.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, TestCertificates.PASSWORD.toCharArray());
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem))
        {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static void assumeMosquitto() throws Exception
    {
        assumeTrue(ExternalCommand.run(List.of(MOSQUITTO_PUB, "--help"), "").exitCode() != 127,
            "mosquitto_pub is not installed (apt-get install mosquitto-clients)");
    }

    private static List<String> consume(final String topic, final int expected)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig("mqtt-tls-" + topic),
            new StringDeserializer(), new StringDeserializer()))
        {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
        }
        return values;
    }
}
