package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request the broker holds because the client asked it to is not a broker failure: a Fetch whose
 * {@code max_wait_ms} is longer than the request timeout, on a topic with nothing new, is answered when its wait runs
 * out, and the broker's circuit stays closed for every other client. The breaker here is as touchy as it gets (one
 * failure opens it), with a short request timeout so the test is quick.
 */
class CircuitBreakerRequestWaitIT
{
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final int FETCH_MAX_WAIT_MILLIS = 4_000;
    private static final short FETCH_VERSION = 11;
    private static final String TOPIC = "quiet";
    private static final String BREAKER = """
        circuitBreaker:
          failureThreshold: 1
          openDuration: 60s
          requestTimeout: 2s
        """;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start() throws Exception
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), PolicyConfigs.withPolicy(BREAKER), pipeline -> { });
        kafka.createTopic(TOPIC, 1, 1);
        // One record, so the partition has a leader ready to wait on, and offset 1 is where nothing has come yet.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig()))
        {
            producer.send(new ProducerRecord<>(TOPIC, "first")).get(60, TimeUnit.SECONDS);
        }
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
    void fetchWaitingLongerThanTheRequestTimeoutShouldBeAnsweredAndLeaveTheCircuitClosed() throws Exception
    {
        // Given
        try (RawKafkaConnection consumer = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
        {
            // When: a Fetch at the end of a quiet partition, allowed to wait twice the request timeout
            final long sent = System.nanoTime();
            consumer.sendRequest(ApiKeys.FETCH.id, FETCH_VERSION, 7, false, fetchAtEnd());
            final ByteBuffer response = consumer.readFrame();
            final Duration held = Duration.ofNanos(System.nanoTime() - sent);

            // Then: the broker held it past the request timeout, as asked, and the proxy let it
            assertThat(response.getInt()).isEqualTo(7);
            final FetchResponseData fetched = new FetchResponseData(new ByteBufferAccessor(response), FETCH_VERSION);
            assertThat(fetched.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(fetched.responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(held).as("the scenario needs the broker to hold the Fetch past the request timeout").isGreaterThan(REQUEST_TIMEOUT);
        }
        assertThat(circuitsOpened()).isZero();
        assertThat(circuitStates()).containsOnly(0.0);

        // And: a new client still connects and is answered
        try (RawKafkaConnection newcomer = RawKafkaConnection.open(kafka.proxy().bootstrapAddress()))
        {
            newcomer.sendApiVersionsV0(8);
            assertThat(newcomer.readFrame().getInt()).isEqualTo(8);
        }
    }

    private static byte[] fetchAtEnd()
    {
        final FetchRequestData fetch = new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(FETCH_MAX_WAIT_MILLIS)
            .setMinBytes(1)
            .setMaxBytes(1 << 20)
            .setSessionId(0)
            .setSessionEpoch(-1)
            .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1).setPartitionMaxBytes(1 << 20)))));
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(fetch, FETCH_VERSION).buffer();
        final byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        return bytes;
    }

    private static double circuitsOpened()
    {
        return kafka.proxy().meterRegistry().find("kafka.proxy.circuit.transitions").tag("to", "open").counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static List<Double> circuitStates()
    {
        return kafka.proxy().meterRegistry().find("kafka.proxy.circuit.state").gauges().stream().map(Gauge::value).toList();
    }
}
