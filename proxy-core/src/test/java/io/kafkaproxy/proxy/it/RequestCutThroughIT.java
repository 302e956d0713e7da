package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.metrics.ProxyMetrics.Side;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Request cut-through against a real broker and a real producer: Produce requests of about 1 MiB, which span many
 * socket reads, stream to the broker as they arrive (acks=all and acks=0), and every record is read back as it was
 * written; a producer whose topics an ACL rule looks at has its requests assembled whole, as before; a client that
 * goes away halfway through a streaming request leaves nothing behind.
 */
class RequestCutThroughIT
{
    private static final int RECORDS = 1000;
    private static final int VALUE_BYTES = 4096;
    // guarded-producer may not write to one topic, so its Produce requests' topics are read; nobody else has rules.
    private static final String ACL = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: guarded-producer
              resourceType: topic
              resourceName: secret
              operations: [write]
        """;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void startKafka()
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), Map.of()), PolicyConfigs.withPolicy(ACL), pipeline -> { });
        kafka.createTopic("streamed-acks-all", 2, 1);
        kafka.createTopic("streamed-acks-none", 2, 1);
        kafka.createTopic("assembled", 2, 1);
        kafka.createTopic("half-sent", 1, 1);
    }

    @AfterAll
    static void stopEverything()
    {
        kafka.close();
    }

    @Test
    void shouldStreamLargeProduceRequestsWithAcksAllAndDeliverEveryRecordUnchanged()
    {
        // Given
        final double streamedBefore = streamedRequests();

        // When
        produce("streamed-acks-all", "streaming-producer", "all");

        // Then
        assertEveryRecordReadBack("streamed-acks-all");
        assertThat(streamedRequests()).isGreaterThan(streamedBefore);
    }

    @Test
    void shouldStreamLargeProduceRequestsWithAcksNoneAndDeliverEveryRecordUnchanged()
    {
        // Given
        final double streamedBefore = streamedRequests();

        // When
        produce("streamed-acks-none", "streaming-producer", "0");

        // Then
        assertEveryRecordReadBack("streamed-acks-none");
        assertThat(streamedRequests()).isGreaterThan(streamedBefore);
    }

    @Test
    void shouldAssembleTheRequestsOfAProducerWhoseTopicsAnAclRuleNeeds()
    {
        // Given
        final double streamedBefore = streamedRequests();

        // When
        produce("assembled", "guarded-producer", "all");

        // Then: nothing streamed, and everything still arrived
        assertEveryRecordReadBack("assembled");
        assertThat(streamedRequests()).isEqualTo(streamedBefore);
    }

    @Test
    void shouldLeaveNothingBehindWhenAClientGoesAwayHalfwayThroughAStreamingRequest() throws Exception
    {
        // Given: every connection of the class's earlier clients gone (closed clients' connections close asynchronously:
        // counted before that, they would make the count after this test's close lower than the one before), then a
        // connection to the broker, made by a whole first request
        await().atMost(Duration.ofSeconds(10)).until(() ->
            kafka.proxy().metrics().activeConnections(Side.CLIENT) == 0
                && kafka.proxy().metrics().activeConnections(Side.BROKER) == 0);
        final double streamedBefore = streamedRequests();
        final RawKafkaConnection client = RawKafkaConnection.open(kafka.proxy().bootstrapAddress());
        client.sendApiVersionsV0(1);
        client.readFrame();

        // When: the first 64 KiB of a 1 MiB Produce request, then the client goes away
        final byte[] request = produceRequest("half-sent", 2, 1 << 20);
        client.send(Arrays.copyOf(request, 64 * 1024));
        await().atMost(Duration.ofSeconds(10)).until(() -> streamedRequests() > streamedBefore);
        client.close();

        // Then: both sides closed (the broker cannot make sense of half a request); the leak detector, checked after
        // the class, finds every slice of the reads released
        await().atMost(Duration.ofSeconds(10)).until(() ->
            kafka.proxy().metrics().activeConnections(Side.CLIENT) == 0
                && kafka.proxy().metrics().activeConnections(Side.BROKER) == 0);
    }

    private static void produce(final String topic, final String clientId, final String acks)
    {
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, !"0".equals(acks));
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 100);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(topic, i % 2, "key-" + i, value(i)));
            }
            producer.flush();
        }
    }

    private static void assertEveryRecordReadBack(final String topic)
    {
        final Map<String, Object> config = kafka.consumerConfig(null);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        final Map<String, String> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    read.put(record.key(), record.value());
                }
            }
        }
        assertThat(read).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++)
        {
            assertThat(read.get("key-" + i)).as("record %d", i).isEqualTo(value(i));
        }
    }

    private static byte[] produceRequest(final String topic, final int correlationId, final int valueBytes)
    {
        final short version = 9;
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setPartitionData(List.of(new PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[valueBytes]))))));
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id)
            .setRequestApiVersion(version).setCorrelationId(correlationId).setClientId("half-sender"),
            ApiKeys.PRODUCE.requestHeaderVersion(version)).buffer();
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(
            new ProduceRequestData().setAcks((short)-1).setTimeoutMs(30_000).setTopicData(topics), version).buffer();
        final ByteBuffer frame = ByteBuffer.allocate(4 + header.remaining() + body.remaining());
        frame.putInt(header.remaining() + body.remaining()).put(header).put(body);
        return frame.array();
    }

    private static double streamedRequests()
    {
        return kafka.proxy().meterRegistry().find(ProxyMetrics.REQUESTS_STREAMED).counters().stream()
            .mapToDouble(Counter::count).sum();
    }

    private static String value(final int i)
    {
        final Random random = new Random(i);
        final StringBuilder value = new StringBuilder(VALUE_BYTES);
        for (int c = 0; c < VALUE_BYTES; c++)
        {
            value.append((char)('a' + random.nextInt(26)));
        }
        return value.toString();
    }
}
