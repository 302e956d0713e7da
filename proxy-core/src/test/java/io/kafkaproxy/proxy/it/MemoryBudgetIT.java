package io.kafkaproxy.proxy.it;

import io.kafkaproxy.mempool.MemoryPoolStats;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.kafkaproxy.proxy.testing.ClientWorkloads;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.RawKafkaConnection;
import io.kafkaproxy.proxy.testing.SlowBrokerLink;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proxy under a hard 16 MiB memory budget (default 64 KiB chunks), in front of a real broker reached through a slow link: producers
 * offer far more than the broker takes, and the proxy pauses reads instead of growing, losing or corrupting
 * anything. Every error path ends with every region back in the pool.
 */
class MemoryBudgetIT
{
    private static final long BUDGET = 16L << 20;
    private static final String TOPIC = "over-budget";
    // An ACL rule looks at the topics of this client's Produce requests, so they are assembled in pool memory as they
    // were before request cut-through: the overload that must make the pool pause reads. Any other client's large
    // Produce requests stream to the broker and hold no frame memory.
    private static final String ASSEMBLING_CLIENT = "assembling-producer";
    private static final String ACL = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: assembling-producer
              resourceType: topic
              resourceName: never-written
              operations: [write]
        """;

    private static SlowBrokerLink link;
    private static InJvmKafka kafka;
    private static KafkaProxy proxy;

    @BeforeAll
    static void startKafkaBehindASlowLinkAndTheProxy() throws Exception
    {
        link = SlowBrokerLink.open();
        kafka = InJvmKafka.start(List.of(1), Map.of(
            "advertised.listeners", "PLAINTEXT://localhost:" + link.port(),
            "message.max.bytes", Integer.toString(4 << 20)));
        link.connectTo(kafka.cluster().brokerPort(1));
        final ProxyConfig config = PolicyConfigs.withPolicyOf(ProxiedKafka.proxyConfig("localhost:" + link.port())
            .toBuilder()
            .network(NetworkConfig.of(2, "4MiB", "8MiB", null))
            .memory(MemoryConfig.of("16MiB", null, null, null))
            .build(), PolicyConfigs.parse(ACL));
        proxy = KafkaProxy.builder(config).start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap())))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 4, (short)1), new NewTopic("cut-mid-frame", 1, (short)1))).all().get();
        }
    }

    @AfterAll
    static void stopEverything() throws Exception
    {
        proxy.close();
        kafka.close();
        link.close();
    }

    @Test
    void producersFarFasterThanTheBrokerShouldBeHeldWithinTheBudget() throws Exception
    {
        // Given: the link lets 4 MB/s of requests through; twelve producers with 1 MiB batches, assembled, each offer far
        // more, and between them keep up to 60 requests of up to 3 MiB in flight: many times the budget
        link.limitRequests(4_000_000);
        final long nettyDirectBefore = nettyDirectMemoryUsed();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            final int producerId = i;
            producers.add(new Thread(() -> produce(producerId, ASSEMBLING_CLIENT, producing, acknowledged, failure),
                "over-budget-producer-" + i));
        }
        final AtomicLong peakReserved = new AtomicLong();
        final AtomicLong peakProxyDirect = new AtomicLong();

        // When: ten seconds of it, and on until the pool has paused reads (on a loaded machine the producers may need
        // longer to offer more than the budget)
        producers.forEach(Thread::start);
        final long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
        {
            final MemoryPoolStats now = proxy.memoryStats();
            peakReserved.accumulateAndGet(now.reservedBytes(), Math::max);
            peakProxyDirect.accumulateAndGet(now.reservedBytes() + nettyDirectMemoryUsed() - nettyDirectBefore, Math::max);
            return System.nanoTime() > end && now.pausedReadEvents() > 0;
        });
        producing.set(false);
        link.limitRequests(Long.MAX_VALUE);
        for (final Thread producer : producers)
        {
            producer.join();
        }

        // Then: the pool never went past its budget, nor the proxy's direct memory (the pool plus whatever Netty's
        // own allocators hold, for DNS and the like) past it by more than a little; reads were paused for memory;
        // nothing failed. The JVM-wide direct figure is not the proxy's: the broker and the clients share this JVM,
        // and the JDK backs their socket writes of heap buffers with temporary direct buffers.
        final MemoryPoolStats stats = proxy.memoryStats();
        assertThat(failure.get()).isNull();
        assertThat(stats.highWaterMarkBytes()).isLessThanOrEqualTo(BUDGET);
        assertThat(peakReserved.get()).isLessThanOrEqualTo(BUDGET);
        assertThat(peakProxyDirect.get()).isLessThanOrEqualTo(BUDGET + (4L << 20));
        assertThat(stats.pausedReadEvents()).isPositive();
        assertThat(acknowledged).hasSizeGreaterThan(1000);

        // And: every acknowledged record is there, once
        final Map<String, Object> consumerConfig = consumerConfig();
        final List<ConsumerRecord<String, String>> consumed = ClientWorkloads.consume(TOPIC, consumerConfig, acknowledged.size());
        final Set<String> values = consumed.stream().map(ConsumerRecord::value).map(value -> value.substring(0, 32))
            .collect(Collectors.toSet());
        final Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(values);
        assertThat(missing).as("acknowledged but never consumed").isEmpty();
        awaitEveryRegionBack();
    }

    @Test
    void producersFarFasterThanTheBrokerShouldBeHeldWithinTheBudgetWhenTheirRequestsStream() throws Exception
    {
        // Given: the same overload, but from producers whose 1 MiB Produce requests stream to the broker (cut-through)
        link.limitRequests(4_000_000);
        final double streamedBefore = streamedRequests();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            final int producerId = 40 + i;
            producers.add(new Thread(() -> produce(producerId, "streaming-producer", producing, acknowledged, failure),
                "streaming-producer-" + i));
        }
        final AtomicLong peakReserved = new AtomicLong();

        // When: ten seconds of it
        producers.forEach(Thread::start);
        final long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try
        {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
            {
                peakReserved.accumulateAndGet(proxy.memoryStats().reservedBytes(), Math::max);
                return System.nanoTime() > end;
            });
        }
        finally
        {
            producing.set(false);
            link.limitRequests(Long.MAX_VALUE);
            for (final Thread producer : producers)
            {
                producer.join();
            }
        }

        // Then: the requests streamed, the pool never went past its budget (the broker link's back-pressure stops the
        // client reads: no frame is held), nothing failed, and every acknowledged record is there, once
        assertThat(streamedRequests()).isGreaterThan(streamedBefore);
        assertThat(failure.get()).isNull();
        assertThat(peakReserved.get()).isLessThanOrEqualTo(BUDGET);
        assertThat(proxy.memoryStats().highWaterMarkBytes()).isLessThanOrEqualTo(BUDGET);
        assertThat(acknowledged).hasSizeGreaterThan(1000);
        final Set<String> missing = new HashSet<>(acknowledged);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig()))
        {
            final List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> missing.remove(record.value().substring(0, 32)));
                return missing.isEmpty();
            });
        }
        awaitEveryRegionBack();
    }

    @Test
    void aFrozenBrokerShouldHoldTheProxyWithinItsBudgetAndLoseNothingOnceItThaws() throws Exception
    {
        // Given: producers far faster than the broker, and then the broker frozen (no byte either way) for 5 seconds
        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            final int producerId = 20 + i;
            producers.add(new Thread(() -> produce(producerId, ASSEMBLING_CLIENT, producing, acknowledged, failure),
                "frozen-broker-producer-" + i));
        }
        producers.forEach(Thread::start);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > 100);
        final AtomicLong peakReserved = new AtomicLong();

        // When: frozen while the producers go on, then thawed
        link.freeze();
        final long thawAt = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
        {
            peakReserved.accumulateAndGet(proxy.memoryStats().reservedBytes(), Math::max);
            return System.nanoTime() > thawAt;
        });
        final int acknowledgedAtThaw = acknowledged.size();
        link.thaw();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > acknowledgedAtThaw + 100);
        producing.set(false);
        for (final Thread producer : producers)
        {
            producer.join();
        }

        // Then: the pool stayed within its budget, no send failed, and every acknowledged record is there
        assertThat(failure.get()).isNull();
        assertThat(peakReserved.get()).isLessThanOrEqualTo(BUDGET);
        assertThat(proxy.memoryStats().highWaterMarkBytes()).isLessThanOrEqualTo(BUDGET);
        final Set<String> missing = new HashSet<>(acknowledged);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig()))
        {
            final List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> missing.remove(record.value().substring(0, 32)));
                return missing.isEmpty();
            });
        }
        assertThat(missing).as("acknowledged but never consumed").isEmpty();
        awaitEveryRegionBack();
    }

    @Test
    void everyRegionShouldComeBackAfterAMalformedFrame() throws Exception
    {
        // When
        try (RawKafkaConnection connection = RawKafkaConnection.open(proxy.bootstrapAddress()))
        {
            connection.send(ByteBuffer.allocate(64).putInt(-5).array());
            assertThat(connection.closedByPeer()).isTrue();
        }

        // Then
        awaitEveryRegionBack();
    }

    @Test
    void everyRegionShouldComeBackAfterAClientResetsInTheMiddleOfAFrame() throws Exception
    {
        // Given: half of a 1 MiB request, a frame spanning many reads
        final Socket socket = new Socket();
        socket.connect(proxy.bootstrapAddress());
        socket.getOutputStream().write(ByteBuffer.allocate(512 * 1024).putInt(1 << 20).array());
        socket.getOutputStream().flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.memoryStats().outstandingRegions() > 0);

        // When: the client resets its connection
        socket.setSoLinger(true, 0);
        socket.close();

        // Then
        awaitEveryRegionBack();
    }

    @Test
    void everyRegionShouldComeBackAfterTheBrokerGoesAwayInTheMiddleOfAFrame() throws Exception
    {
        // Given: a record of 2 MiB, so its fetch response spans many reads
        final String big = "x".repeat(2 << 20);
        final Map<String, Object> producerConfig = producerConfig();
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 3 << 20);
        ClientWorkloads.sendAll(producerConfig, List.of(new ProducerRecord<>("cut-mid-frame", big)));

        // When: the link cuts the connection carrying the fetch response halfway through it
        link.cutNextLargeResponse();
        final int cutsBefore = link.cuts();
        final List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig()))
        {
            final TopicPartition partition = new TopicPartition("cut-mid-frame", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                consumer.poll(Duration.ofMillis(200)).forEach(consumed::add);
                return !consumed.isEmpty();
            });
        }

        // Then: the consumer got its record on a new connection, and nothing of the cut one is left
        assertThat(link.cuts()).isEqualTo(cutsBefore + 1);
        assertThat(consumed).singleElement().extracting(ConsumerRecord::value).isEqualTo(big);
        awaitEveryRegionBack();
    }

    private static void awaitEveryRegionBack()
    {
        // The proxy's own discovery connection and any client still connected hold no frame between reads.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(proxy.memoryStats().outstandingRegions()).isZero());
    }

    private static void produce(final int producerId, final String clientId, final AtomicBoolean producing,
        final ConcurrentLinkedQueue<String> acknowledged, final AtomicReference<Exception> failure)
    {
        final Map<String, Object> config = producerConfig();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 3 << 20);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
        final String padding = "p".repeat(1000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            long sequence = 0;
            while (producing.get())
            {
                final String id = String.format("%02d-%029d", producerId, sequence++);
                producer.send(new ProducerRecord<>(TOPIC, id, id + padding), (metadata, error) ->
                {
                    if (error == null)
                    {
                        acknowledged.add(id);
                    }
                    else
                    {
                        failure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        catch (final Exception e)
        {
            failure.compareAndSet(null, e);
        }
    }

    private static double streamedRequests()
    {
        return proxy.meterRegistry().find(ProxyMetrics.REQUESTS_STREAMED).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static Map<String, Object> producerConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static Map<String, Object> consumerConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        // Within the proxy's 8 MiB response limit: a fetch asking for more gets a response the proxy refuses.
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 6 << 20);
        return config;
    }

    private static String bootstrap()
    {
        final InetSocketAddress address = proxy.bootstrapAddress();
        return new HostPort(ProxiedKafka.ADVERTISED_HOST, address.getPort()).toString();
    }

    private static long nettyDirectMemoryUsed()
    {
        return Stream.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)
            .distinct()
            .mapToLong(allocator -> ((ByteBufAllocatorMetricProvider)allocator).metric().usedDirectMemory())
            .sum();
    }
}
