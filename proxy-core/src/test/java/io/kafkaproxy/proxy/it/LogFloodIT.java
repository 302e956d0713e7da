package io.kafkaproxy.proxy.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kafkaproxy.proxy.connection.ClientConnectionStateMachine;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How much a flood of bad connections writes to the log: the lines are the proxy's to limit, whatever the attacker
 * sends, and the count of those held back is still told.
 */
class LogFloodIT
{
    private static final int CONNECTIONS = 1000;
    private static final byte[] GARBAGE = "GET / HTTP/1.1\r\nHost: kafka\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aThousandGarbageConnectionsShouldLogAFewLinesAndCountTheRest() throws Exception
    {
        try (ProxiedKafka kafka = ProxiedKafka.singleNode(); LogCapture log = new LogCapture(ClientConnectionStateMachine.class))
        {
            // Given
            final InetSocketAddress proxy = kafka.proxy().bootstrapAddress();
            final double before = kafka.proxy().metrics().framesRejected(Side.CLIENT, "oversize");

            // When
            for (int i = 0; i < CONNECTIONS; i++)
            {
                sendGarbage(proxy);
            }

            // Then: every one counted, few of them logged
            await().atMost(Duration.ofSeconds(10)).until(() ->
                kafka.proxy().metrics().framesRejected(Side.CLIENT, "oversize") == before + CONNECTIONS);
            final int lines = log.events(Level.WARN).size();
            assertThat(lines).as("lines logged for %d bad connections", CONNECTIONS).isBetween(1, 30);

            // When: bad connections keep coming, slowly, until the next interval lets a line through
            final int[] sent = {CONNECTIONS};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
            {
                final int linesBefore = log.events(Level.WARN).size();
                sendGarbage(proxy);
                sent[0]++;
                final List<ILoggingEvent> now = log.events(Level.WARN);
                // Stop at a line for the connection just sent, so that none sent after it waits unreported.
                return now.size() > linesBefore && now.stream().anyMatch(event -> suppressed(event) > 0);
            });

            // Then: that line tells how many were held back; lines and count add up to every bad connection
            final List<ILoggingEvent> events = log.events(Level.WARN);
            assertThat(events).allSatisfy(event -> assertThat(event.getFormattedMessage()).contains("not Kafka"));
            final long held = events.stream().mapToLong(LogFloodIT::suppressed).sum();
            assertThat(events.size() + held).isEqualTo(sent[0]);
        }
    }

    private static void sendGarbage(final InetSocketAddress proxy) throws Exception
    {
        try (RawKafkaConnection bad = RawKafkaConnection.open(proxy))
        {
            bad.send(GARBAGE);
            assertThat(bad.closedByPeer()).isTrue();
        }
    }

    private static long suppressed(final ILoggingEvent event)
    {
        if (event.getKeyValuePairs() == null)
        {
            return 0;
        }
        return event.getKeyValuePairs().stream().filter(pair -> "suppressed".equals(pair.key))
            .mapToLong(pair -> ((Number)pair.value).longValue()).sum();
    }
}
