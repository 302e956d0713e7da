package io.kafkaproxy.proxy.it;

import ch.qos.logback.classic.Level;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bytes that cannot be Kafka close only the connection that sent them, with one WARN and a counter, while a
 * connection opened before them and a producer running beside them carry on.
 */
class MalformedInputIT
{
    private static ProxiedKafka kafka;
    private static RawKafkaConnection healthy;
    private static KafkaProducer<String, String> producer;
    private static int healthyCorrelationId;

    private LogCapture log;

    @BeforeAll
    static void startKafkaAndProxy() throws Exception
    {
        kafka = ProxiedKafka.singleNode();
        kafka.createTopic("beside-the-garbage", 1, 1);
        producer = new KafkaProducer<>(kafka.producerConfig());
        healthy = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
        assertHealthyConnectionAnswers();
    }

    @AfterAll
    static void stopKafkaAndProxy() throws Exception
    {
        healthy.close();
        producer.close();
        kafka.close();
    }

    @BeforeEach
    void captureLog()
    {
        log = new LogCapture(ClientConnectionStateMachine.class);
    }

    @AfterEach
    void healthyClientsShouldBeUnaffected() throws Exception
    {
        log.close();
        assertHealthyConnectionAnswers();
        producer.send(new ProducerRecord<>("beside-the-garbage", "still-fine")).get();
    }

    @Test
    void garbageShouldCloseOnlyItsConnection() throws Exception
    {
        // Given: someone points an HTTP health check at the Kafka port
        final double before = rejected("oversize");

        // When / Then
        assertClosedWithOneWarning("GET / HTTP/1.1\r\nHost: kafka\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(rejected("oversize")).isEqualTo(before + 1);
    }

    @Test
    void negativeLengthShouldCloseOnlyItsConnection() throws Exception
    {
        // Given
        final double before = rejected("malformed");

        // When / Then
        assertClosedWithOneWarning(ByteBuffer.allocate(8).putInt(-16).putInt(0).array());
        assertThat(rejected("malformed")).isEqualTo(before + 1);
    }

    @Test
    void oversizedLengthShouldCloseOnlyItsConnection() throws Exception
    {
        // Given: 200 MiB declared, a few bytes sent; nothing must be reserved for it
        final double before = rejected("oversize");

        // When / Then
        assertClosedWithOneWarning(ByteBuffer.allocate(16).putInt(200 << 20).array());
        assertThat(rejected("oversize")).isEqualTo(before + 1);
    }

    @Test
    void headerRunningPastItsFrameShouldCloseOnlyItsConnection() throws Exception
    {
        // Given: a Metadata request whose client id claims 500 bytes of a 12-byte frame
        final double before = rejected("malformed");
        final byte[] frame = ByteBuffer.allocate(16).putInt(12).putShort((short)3).putShort((short)1).putInt(1)
            .putShort((short)500).array();

        // When / Then
        assertClosedWithOneWarning(frame);
        assertThat(rejected("malformed")).isEqualTo(before + 1);
    }

    @Test
    void saslHandshakeWithANullMechanismShouldCountAsMalformed() throws Exception
    {
        // Given: SaslHandshake v1 whose mechanism has the null length -1, which its schema does not allow
        final double before = rejected("malformed");
        final double errorsBefore = kafka.proxy().metrics().connectionErrors(Side.CLIENT);
        final byte[] frame = ByteBuffer.allocate(16).putInt(12).putShort((short)17).putShort((short)1).putInt(1)
            .putShort((short)-1).putShort((short)-1).array();

        // When / Then
        assertClosedWithOneWarning(frame);
        assertThat(rejected("malformed")).isEqualTo(before + 1);
        assertThat(kafka.proxy().metrics().connectionErrors(Side.CLIENT)).isEqualTo(errorsBefore);
    }

    @Test
    void saslHandshakeWithoutABodyShouldCountAsMalformed() throws Exception
    {
        // Given: SaslHandshake v1 that ends after its header
        final double before = rejected("malformed");
        final double errorsBefore = kafka.proxy().metrics().connectionErrors(Side.CLIENT);
        final byte[] frame = ByteBuffer.allocate(14).putInt(10).putShort((short)17).putShort((short)1).putInt(1)
            .putShort((short)-1).array();

        // When / Then
        assertClosedWithOneWarning(frame);
        assertThat(rejected("malformed")).isEqualTo(before + 1);
        assertThat(kafka.proxy().metrics().connectionErrors(Side.CLIENT)).isEqualTo(errorsBefore);
    }

    @Test
    void brokerRefusingAClientsGarbageShouldNotCountAsABrokerFailure() throws Exception
    {
        // Given: ListOffsets v1 requests whose bodies the proxy passes on and the broker cannot parse; the broker closes
        // the connection at the first, with the others still unread, so the proxy sees its broker connection reset
        final double brokerErrorsBefore = kafka.proxy().metrics().connectionErrors(Side.BROKER);
        final long brokerConnectionsBefore = kafka.proxy().metrics().activeConnections(Side.BROKER);
        final ByteBuffer frames = ByteBuffer.allocate(5 * 16);
        for (int i = 0; i < 5; i++)
        {
            frames.putInt(10 + 2).putShort((short)2).putShort((short)1).putInt(i).putShort((short)-1).putShort((short)1);
        }

        // When
        try (RawKafkaConnection bad = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
        {
            bad.send(frames.array());
            assertThat(bad.closedByPeer()).as("the proxy closed the connection after the broker did").isTrue();
        }

        // Then: not the broker's failure; at most one line, which names the client's request
        await().atMost(Duration.ofSeconds(5)).until(() -> kafka.proxy().metrics().activeConnections(Side.BROKER) == brokerConnectionsBefore);
        assertThat(kafka.proxy().metrics().connectionErrors(Side.BROKER)).isEqualTo(brokerErrorsBefore);
        assertThat(log.messages(Level.WARN)).hasSizeLessThanOrEqualTo(1).noneMatch(line -> line.contains("broker connection failed"));
    }

    @Test
    void truncatedFrameThenCloseShouldLeaveNothingBehind() throws Exception
    {
        // Given
        final long clientsBefore = kafka.proxy().metrics().activeConnections(Side.CLIENT);
        final RawKafkaConnection truncated = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.proxy().metrics().activeConnections(Side.CLIENT) == clientsBefore + 1);

        // When: half a frame, then the client goes away
        truncated.send(ByteBuffer.allocate(104).putInt(1000).array());
        truncated.close();

        // Then: the proxy closes both sides; the leak detector (checked after the class) finds the half frame released
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.proxy().metrics().activeConnections(Side.CLIENT) == clientsBefore);
        assertThat(log.messages(Level.WARN)).isEmpty();
    }

    private void assertClosedWithOneWarning(final byte[] bytes) throws Exception
    {
        try (RawKafkaConnection bad = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
        {
            bad.send(bytes);
            assertThat(bad.closedByPeer()).as("the proxy closed the bad connection").isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(log.messages(Level.WARN)).hasSize(1).first().asString().contains("not Kafka"));
    }

    private static double rejected(final String reason)
    {
        return kafka.proxy().metrics().framesRejected(ProxyMetrics.Side.CLIENT, reason);
    }

    private static void assertHealthyConnectionAnswers() throws Exception
    {
        final int correlationId = ++healthyCorrelationId;
        healthy.sendApiVersionsV0(correlationId);
        final ByteBuffer response = healthy.readFrame();
        assertThat(response.getInt()).isEqualTo(correlationId);
        assertThat(response.getShort()).as("error code").isZero();
    }

    static InetSocketAddress bootstrap()
    {
        return kafka.proxy().bootstrapAddress();
    }
}
