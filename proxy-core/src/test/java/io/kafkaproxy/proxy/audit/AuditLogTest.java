package io.kafkaproxy.proxy.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.config.AuditConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AuditLogTest
{
    private static final int PLENTY = 1_000_000;
    private static final short PRODUCE = 0;
    private static final short FETCH = 1;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong time = new AtomicLong(1_000L);
    private final List<AuditLog> logs = new ArrayList<>();
    private Logger auditLogger;
    private Level levelBefore;
    private LogCapture capture;

    @BeforeEach
    void captureTheAuditLogger()
    {
        // Lines go to the capture only, at INFO whatever the test logging configuration says.
        auditLogger = (Logger)LoggerFactory.getLogger(AuditLogAgent.AUDIT_LOGGER);
        levelBefore = auditLogger.getLevel();
        auditLogger.setLevel(Level.INFO);
        auditLogger.setAdditive(false);
        capture = new LogCapture(AuditLogAgent.AUDIT_LOGGER);
    }

    @AfterEach
    void restoreTheAuditLogger()
    {
        logs.forEach(AuditLog::close);
        capture.close();
        auditLogger.setAdditive(true);
        auditLogger.setLevel(levelBefore);
    }

    @Test
    void shouldLogEveryEventOfSeveralThreadsInTheOrderEachRecordedThem() throws Exception
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 20));
        audit.start();
        final int threads = 4;
        final int eventsPerThread = 500;
        final CountDownLatch start = new CountDownLatch(1);
        final InetAddress client = InetAddress.getByName("10.0.0.1");
        final List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final String principal = "writer-" + t;
            writers.add(new Thread(() ->
            {
                awaitQuietly(start);
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
                for (int i = 0; i < eventsPerThread; i++)
                {
                    final String name = "topic-" + i;
                    if (i % 2 == 0)
                    {
                        final int length = frame.putStringWithoutLengthUtf8(7, name);
                        audit.recordDenied(principal, client, PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, frame, 7, length);
                    }
                    else
                    {
                        audit.recordDenied(principal, client, PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, name);
                    }
                }
            }, "audit-writer-" + t));
        }
        writers.forEach(Thread::start);

        // When
        start.countDown();
        for (final Thread writer : writers)
        {
            writer.join();
        }
        audit.close();

        // Then
        final List<Map<String, String>> lines = lines();
        assertThat(lines).hasSize(threads * eventsPerThread);
        for (int t = 0; t < threads; t++)
        {
            final String principal = "writer-" + t;
            final List<String> resources = lines.stream().filter(line -> principal.equals(line.get("principal")))
                .map(line -> line.get("resource")).toList();
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < eventsPerThread; i++)
            {
                expected.add("topic-" + i);
            }
            assertThat(resources).containsExactlyElementsOf(expected);
        }
        assertThat(outcome("logged")).isEqualTo(threads * eventsPerThread);
        assertThat(outcome("dropped")).isZero();
    }

    @Test
    void shouldWriteTheKeysOfEachDecision() throws UnknownHostException
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 20));

        // When
        audit.recordDenied("alice", InetAddress.getByName("10.1.2.3"), PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, "orders");
        audit.recordThrottled("bob", InetAddress.getByName("::1"), FETCH, "fetch", 250);
        audit.recordConnectionRejected(null, null, "addressMaxConnections");
        audit.recordDenied("carol", null, (short)999, null, null, null);
        audit.start();
        audit.close();

        // Then
        final List<ILoggingEvent> events = capture.events(Level.INFO);
        assertThat(events).extracting(ILoggingEvent::getFormattedMessage)
            .containsExactly("request denied by ACL", "request throttled by quota", "connection rejected", "request denied by ACL");
        final List<Map<String, String>> lines = lines();
        assertThat(lines.get(0)).containsExactlyInAnyOrderEntriesOf(Map.of(
            "decision", "deny", "principal", "alice", "clientAddress", "10.1.2.3", "apiKey", "Produce",
            "resourceType", "topic", "resource", "orders", "operation", "write"));
        assertThat(lines.get(1)).containsExactlyInAnyOrderEntriesOf(Map.of(
            "decision", "throttle", "principal", "bob", "clientAddress", "0:0:0:0:0:0:0:1", "apiKey", "Fetch",
            "quota", "fetch", "throttleMillis", "250"));
        assertThat(lines.get(2)).containsExactlyInAnyOrderEntriesOf(Map.of(
            "decision", "reject", "principal", "", "clientAddress", "", "reason", "addressMaxConnections"));
        assertThat(lines.get(3)).containsEntry("apiKey", "Unknown(999)").containsEntry("resource", "")
            .containsEntry("resourceType", "").containsEntry("operation", "");
    }

    @Test
    void shouldCopyNamesAsUtf8AndCutThemAtOneKibibyte()
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 20));
        final byte[] topic = "tópico-ñ".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        frame.putBytes(100, topic);
        final String longName = "x".repeat(3000);

        // When
        audit.recordDenied("jörg-😀", null, PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, frame, 100, topic.length);
        audit.recordDenied("p".repeat(2000), null, PRODUCE, AclResourceType.GROUP, AclOperation.READ, longName);
        audit.close();

        // Then
        final List<Map<String, String>> lines = lines();
        assertThat(lines.get(0)).containsEntry("principal", "jörg-😀").containsEntry("resource", "tópico-ñ");
        assertThat(lines.get(1).get("principal")).hasSize(1024);
        assertThat(lines.get(1).get("resource")).hasSize(1024);
        assertThat(lines.get(1)).containsEntry("resourceType", "group").containsEntry("operation", "read");
    }

    @Test
    void shouldSuppressLinesOverTheRateAndSummariseThemWhenALineIsAllowedAgain()
    {
        // Given: five lines a second, so a burst of five
        final AuditLog audit = auditLog(new AuditConfig(true, 5, 1 << 20));
        for (int i = 0; i < 20; i++)
        {
            audit.recordConnectionRejected("p", null, "r" + i);
        }

        // When
        audit.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(outcome("suppressed")).isEqualTo(15));
        final List<String> beforeTimePasses = capture.messages(Level.INFO);
        time.addAndGet(TimeUnit.SECONDS.toNanos(1));

        // Then
        assertThat(beforeTimePasses).hasSize(5).containsOnly("connection rejected");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(capture.messages(Level.INFO)).hasSize(6));
        final ILoggingEvent summary = capture.events(Level.INFO).get(5);
        assertThat(summary.getFormattedMessage()).isEqualTo("audit lines suppressed");
        assertThat(keyValues(summary)).containsExactly(Map.entry("suppressed", "15"));
        assertThat(lines()).extracting(line -> line.get("reason")).containsExactly("r0", "r1", "r2", "r3", "r4");
        assertThat(outcome("logged")).isEqualTo(5);
    }

    @Test
    void shouldApplyANewLineRateLive()
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, 1, 1 << 20));
        audit.recordConnectionRejected("p", null, "first");
        audit.recordConnectionRejected("p", null, "suppressed");
        audit.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(outcome("suppressed")).isEqualTo(1));

        // When
        audit.reconfigure(new AuditConfig(true, 100, 1 << 20));
        audit.recordConnectionRejected("p", null, "second");

        // Then: the summary comes first, then the line that let it through
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(capture.messages(Level.INFO))
            .containsExactly("connection rejected", "audit lines suppressed", "connection rejected"));
    }

    @Test
    void shouldDropAndCountEventsWhenTheRingIsFull() throws UnknownHostException
    {
        // Given: the smallest ring, not drained yet
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, AuditConfig.MIN_RING_SIZE_BYTES));
        final InetAddress client = InetAddress.getByName("192.168.7.7");
        final int events = 5000;

        // When
        for (int i = 0; i < events; i++)
        {
            audit.recordThrottled("alice", client, PRODUCE, "produce", i);
        }
        final double dropped = outcome("dropped");
        audit.close();

        // Then
        assertThat(dropped).isPositive();
        assertThat(outcome("logged")).isEqualTo(events - dropped);
        assertThat(lines()).hasSize(events - (int)dropped);
    }

    @Test
    void shouldRecordNothingWhileDisabled()
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(false, PLENTY, 1 << 20));
        audit.start();

        // When
        audit.recordConnectionRejected("p", null, "while disabled");
        audit.reconfigure(new AuditConfig(true, PLENTY, 1 << 20));
        audit.recordConnectionRejected("p", null, "once enabled");
        audit.close();

        // Then
        assertThat(lines()).extracting(line -> line.get("reason")).containsExactly("once enabled");
        assertThat(outcome("dropped")).isZero();
    }

    @Test
    void shouldDropEventsRecordedAfterClose()
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 20));
        audit.start();
        audit.close();

        // When
        audit.recordConnectionRejected("p", null, "too late");

        // Then
        assertThat(lines()).isEmpty();
        assertThat(outcome("dropped")).isEqualTo(1);
    }

    @Test
    void shouldDrainOnADaemonThreadNamedKafkaProxyAudit()
    {
        // Given
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 20));

        // When
        audit.start();

        // Then
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
            .filteredOn(thread -> thread.getName().equals(AuditLogAgent.ROLE_NAME))
            .isNotEmpty()
            .allMatch(Thread::isDaemon));
    }

    @Test
    void shouldReadAnIpv4AddressAsItsHashCode() throws UnknownHostException
    {
        // Given: the writer reads an IPv4 address through hashCode() to avoid getAddress()'s copy
        final Inet4Address address = (Inet4Address)InetAddress.getByName("203.0.113.250");

        // Then
        assertThat(address.hashCode()).isEqualTo(ByteBuffer.wrap(address.getAddress()).getInt());
    }

    @Test
    void shouldNotAllocateToRecord() throws UnknownHostException
    {
        // Given: a ring large enough that nothing is dropped, and every path warmed up (first calls link and
        // initialise classes, which allocates)
        final AuditLog audit = auditLog(new AuditConfig(true, PLENTY, 1 << 24));
        final InetAddress ipv4 = InetAddress.getByName("10.0.0.1");
        final InetAddress ipv6 = InetAddress.getByName("fd00::1");
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final int nameLength = frame.putStringWithoutLengthUtf8(0, "orders");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        recordEveryKind(audit, ipv4, ipv6, frame, nameLength, 20_000);
        final int events = 4 * 2000;

        // When
        final long before = threads.getCurrentThreadAllocatedBytes();
        recordEveryKind(audit, ipv4, ipv6, frame, nameLength, events / 4);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // Then: less than a byte per event, where the smallest object per event would be 16
        assertThat(outcome("dropped")).isZero();
        assertThat(allocated).isLessThan(events);
    }

    private static void recordEveryKind(
        final AuditLog audit, final InetAddress ipv4, final InetAddress ipv6, final UnsafeBuffer frame, final int nameLength, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            audit.recordDenied("alice", ipv4, PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, frame, 0, nameLength);
            audit.recordDenied("alice", ipv6, PRODUCE, AclResourceType.TOPIC, AclOperation.WRITE, "orders");
            audit.recordThrottled("bob", ipv6, FETCH, "fetch", 100);
            audit.recordConnectionRejected("carol", ipv4, "principalMaxConnections");
        }
    }

    private AuditLog auditLog(final AuditConfig config)
    {
        final AuditLog audit = new AuditLog(config, registry, time::get, new SleepingMillisIdleStrategy(1));
        logs.add(audit);
        return audit;
    }

    private double outcome(final String outcome)
    {
        return registry.get(ProxyMetrics.AUDIT_EVENTS).tag(ProxyMetrics.OUTCOME, outcome).counter().count();
    }

    private List<Map<String, String>> lines()
    {
        return capture.events(Level.INFO).stream().map(AuditLogTest::keyValues).filter(line -> line.containsKey("decision")).toList();
    }

    private static Map<String, String> keyValues(final ILoggingEvent event)
    {
        final Map<String, String> keyValues = new HashMap<>();
        for (final KeyValuePair pair : event.getKeyValuePairs())
        {
            keyValues.put(pair.key, String.valueOf(pair.value));
        }
        return keyValues;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
