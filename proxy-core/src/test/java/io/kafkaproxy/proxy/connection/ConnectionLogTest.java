package io.kafkaproxy.proxy.connection;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLogTest
{
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
    private final CachedNanoClock clock = new CachedNanoClock();
    private final ConnectionLogLimits limits = new ConnectionLogLimits(clock, 3, INTERVAL);
    private final EmbeddedChannel client = new EmbeddedChannel();
    private final LogCapture capture = new LogCapture(ClientConnectionStateMachine.class);
    private final InFlightRequests inFlight = new InFlightRequests();

    @AfterEach
    void tearDown()
    {
        capture.close();
        inFlight.clear();
        client.finishAndReleaseAll();
    }

    @Test
    void shouldLogTheBudgetOfRepeatedFailuresThenTheCountOfThoseHeldBack()
    {
        // Given: a thousand connections sending garbage within one interval
        for (int i = 0; i < 1000; i++)
        {
            newLog().onException(Side.CLIENT, new MalformedFrameException("garbage: n=" + i), inFlight);
        }

        // When: the next interval's first one
        clock.update(clock.nanoTime() + INTERVAL.toNanos());
        newLog().onException(Side.CLIENT, new MalformedFrameException("garbage: n=1000"), inFlight);

        // Then: every one counted, three lines and one more carrying the count of the rest
        assertThat(metrics.framesRejected(Side.CLIENT, "malformed")).isEqualTo(1001);
        assertThat(capture.events(Level.WARN)).hasSize(4);
        assertThat(suppressed(capture.events(Level.WARN).get(2))).isNull();
        assertThat(suppressed(capture.events(Level.WARN).get(3))).isEqualTo(997L);
    }

    @Test
    void shouldKeepASeparateBudgetForEachKindOfLine()
    {
        // Given: the client-side budget spent
        for (int i = 0; i < 10; i++)
        {
            newLog().onException(Side.CLIENT, new MalformedFrameException("garbage"), inFlight);
        }

        // When
        newLog().onException(Side.BROKER, new IllegalStateException("broker side"), inFlight);

        // Then
        assertThat(capture.messages(Level.WARN)).hasSize(4).last().asString().isEqualTo("broker connection failed");
    }

    @Test
    void shouldLimitTheLinesOfConnectionsRefusedForWantOfABroker()
    {
        // Given: every broker's circuit open, and a flood of clients
        for (int i = 0; i < 500; i++)
        {
            newLog().onNoBrokerReachable();
            newLog().onBrokerConnectFailed("broker:9092", new IOException("Connection refused"));
        }

        // When
        clock.update(clock.nanoTime() + INTERVAL.toNanos());
        newLog().onNoBrokerReachable();

        // Then: three of each kind, then the count of those held back
        assertThat(capture.events(Level.WARN)).hasSize(7);
        assertThat(suppressed(capture.events(Level.WARN).get(6))).isEqualTo(497L);
        assertThat(capture.messages(Level.WARN).get(6)).startsWith("no broker reachable");
    }

    @Test
    void shouldCountABrokerResetAfterARequestOfTheClientAgainstTheClient()
    {
        // Given: the broker has a request of the client it has not answered
        inFlight.addBrokerAnswered(7, (short)2, (short)1, clock.nanoTime(), 0);

        // When: it resets the connection, as a broker does with a request it cannot parse
        newLog().onException(Side.BROKER, new IOException("Connection reset by peer"), inFlight);

        // Then
        assertThat(metrics.connectionErrors(Side.BROKER)).isZero();
        assertThat(metrics.connectionErrors(Side.CLIENT)).isOne();
        assertThat(capture.messages(Level.WARN)).singleElement().asString().startsWith("broker reset the connection with a request of the client");
        final ILoggingEvent line = capture.events(Level.WARN).get(0);
        assertThat(line.getKeyValuePairs()).extracting(pair -> pair.key).contains("apiKey", "clientCorrelationId", "clientAddress");
    }

    @Test
    void shouldCountABrokerResetWithNothingInFlightAgainstTheBroker()
    {
        // When
        newLog().onException(Side.BROKER, new IOException("Connection reset by peer"), inFlight);

        // Then
        assertThat(metrics.connectionErrors(Side.BROKER)).isOne();
        assertThat(metrics.connectionErrors(Side.CLIENT)).isZero();
        assertThat(capture.messages(Level.WARN)).containsExactly("broker connection failed");
    }

    @Test
    void shouldNotWarnWhenTheClientResetsItsConnection()
    {
        // When
        newLog().onException(Side.CLIENT, new IOException("Connection reset by peer"), inFlight);

        // Then
        assertThat(metrics.connectionErrors(Side.CLIENT)).isOne();
        assertThat(capture.messages(Level.WARN)).isEmpty();
    }

    private ConnectionLog newLog()
    {
        return new ConnectionLog(client, new BrokerTarget()
        {
            @Override
            public InetSocketAddress brokerAddress(final int attempt)
            {
                return null;
            }

            @Override
            public String route()
            {
                return "test";
            }
        }, metrics, limits);
    }

    private static Object suppressed(final ILoggingEvent event)
    {
        if (event.getKeyValuePairs() == null)
        {
            return null;
        }
        return event.getKeyValuePairs().stream().filter(pair -> "suppressed".equals(pair.key))
            .map(pair -> pair.value).findFirst().orElse(null);
    }
}
