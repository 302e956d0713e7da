package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client connection costs a broker connection only once its first request frame is whole: slow-loris connections
 * that send nothing, a few bytes of a size field, or half a frame open nothing upstream, while a real client beside
 * them is served as usual.
 */
class BrokerConnectionOnFirstFrameIT
{
    private static final int SILENT_CONNECTIONS = 30;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start()
    {
        kafka = ProxiedKafka.singleNode();
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
    void connectionsThatNeverFinishAFrameShouldOpenNoBrokerConnection() throws Exception
    {
        // Given
        final List<RawKafkaConnection> slowLoris = new ArrayList<>();
        try
        {
            // When: a third send nothing, a third half a size field, a third a size and part of the frame
            for (int i = 0; i < SILENT_CONNECTIONS; i++)
            {
                final RawKafkaConnection connection = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
                slowLoris.add(connection);
                sendPartOfAFrame(connection, i % 3);
            }

            // Then: the proxy holds every one of them, and none reaches the broker
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kafka.proxy().metrics().activeConnections(Side.CLIENT)).isEqualTo(SILENT_CONNECTIONS));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(kafka.proxy().metrics().activeConnections(Side.BROKER)).isZero());

            // And: a client that sends a whole request is connected and answered beside them
            try (RawKafkaConnection client = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
            {
                client.sendApiVersionsV0(42);
                assertThat(client.readFrame().getInt()).isEqualTo(42);
                assertThat(kafka.proxy().metrics().activeConnections(Side.BROKER)).isEqualTo(1);
            }
        }
        finally
        {
            for (final RawKafkaConnection connection : slowLoris)
            {
                connection.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(kafka.proxy().metrics().activeConnections(Side.CLIENT)).isZero());
    }

    private static void sendPartOfAFrame(final RawKafkaConnection connection, final int kind) throws IOException
    {
        switch (kind)
        {
            case 1:
                connection.send(new byte[] {0, 0});
                break;
            case 2:
                connection.send(ByteBuffer.allocate(4 + 10).putInt(100).putShort((short)18).array());
                break;
            default:
                break;
        }
    }
}
