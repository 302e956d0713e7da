package io.kafkaproxy.proxy.audit;

import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.ratelimit.RateBucket;
import io.micrometer.core.instrument.Counter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.IntSupplier;

import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.ADDRESS_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.ADDRESS_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.API_KEY_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.NAME_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.NONE;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.OPERATION_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.PRINCIPAL_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.RESOURCE_TYPE_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.STRINGS_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.THROTTLE_MILLIS_OFFSET;

/**
 * Drains the audit ring and writes one line per event to the {@code kafka-proxy.audit} logger, at most
 * {@code linesPerSecond} a second (with a burst of one second's worth); lines over the rate are counted, and
 * summarised in one line as soon as a line is allowed again.
 *
 * <p>Audit thread only: every method runs on the {@code kafka-proxy-audit} thread (or, when the log never started,
 * on the thread closing it). This is where events become strings; the event loops only copy bytes.
 */
final class AuditLogAgent implements Agent, MessageHandler
{
    /** The audit thread's name. */
    static final String ROLE_NAME = "kafka-proxy-audit";
    /** The logger audit lines go to. */
    static final String AUDIT_LOGGER = "kafka-proxy.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    // Bounds one duty cycle, so that a flood of events still lets the cycle emit its summary and idle check.
    private static final int EVENTS_PER_CYCLE = 256;
    private static final AclResourceType[] RESOURCE_TYPES = AclResourceType.values();
    private static final AclOperation[] OPERATIONS = AclOperation.values();

    private final RingBuffer ring;
    private final NanoClock clock;
    private final IntSupplier linesPerSecond;
    private final Counter logged;
    private final Counter suppressed;
    private final byte[] ipv4 = new byte[4];
    private final byte[] ipv6 = new byte[16];
    private RateBucket lineRate;
    private long pendingSuppressed;

    /**
     * Creates the agent.
     *
     * @param ring           the ring the event loops write to.
     * @param clock          the clock the line rate is measured by.
     * @param linesPerSecond the line rate now; read for every line, so that a reload applies at once.
     * @param logged         counts lines written.
     * @param suppressed     counts lines over the rate.
     */
    AuditLogAgent(
        final RingBuffer ring, final NanoClock clock, final IntSupplier linesPerSecond, final Counter logged, final Counter suppressed)
    {
        this.ring = ring;
        this.clock = clock;
        this.linesPerSecond = linesPerSecond;
        this.logged = logged;
        this.suppressed = suppressed;
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }

    @Override
    public int doWork()
    {
        int work = ring.read(this, EVENTS_PER_CYCLE);
        if (pendingSuppressed > 0 && allowLine(clock.nanoTime()))
        {
            logSummary();
            work++;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        drain();
    }

    /**
     * Writes every event left in the ring, then the count of lines suppressed, whatever the rate: the last act
     * before the log stops.
     */
    void drain()
    {
        while (ring.read(this) > 0)
        {
            // Reading until the ring is empty is the work.
        }
        if (pendingSuppressed > 0)
        {
            logSummary();
        }
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final AuditDecision decision = AuditDecision.ofTypeId(msgTypeId);
        if (decision == null)
        {
            return;
        }
        if (!allowLine(clock.nanoTime()))
        {
            pendingSuppressed++;
            suppressed.increment();
            return;
        }
        if (pendingSuppressed > 0)
        {
            logSummary();
        }
        log(decision, buffer, index);
        logged.increment();
    }

    private boolean allowLine(final long nowNanos)
    {
        final int rate = linesPerSecond.getAsInt();
        if (lineRate == null || lineRate.ratePerSecond() != rate)
        {
            lineRate = new RateBucket(rate);
        }
        return lineRate.tryAcquire(1, nowNanos);
    }

    private void logSummary()
    {
        AUDIT.atInfo().addKeyValue("suppressed", pendingSuppressed).log("audit lines suppressed");
        pendingSuppressed = 0;
    }

    private void log(final AuditDecision decision, final DirectBuffer buffer, final int index)
    {
        final int principalLength = buffer.getShort(index + PRINCIPAL_LENGTH_OFFSET);
        final int nameLength = buffer.getShort(index + NAME_LENGTH_OFFSET);
        final int principalAt = index + STRINGS_OFFSET;
        final String name = string(buffer, principalAt + Math.max(0, principalLength), nameLength);
        final LoggingEventBuilder line = AUDIT.atInfo()
            .addKeyValue("decision", decision.label())
            .addKeyValue("principal", string(buffer, principalAt, principalLength))
            .addKeyValue("clientAddress", address(buffer, index));
        final short apiKey = buffer.getShort(index + API_KEY_OFFSET);
        if (apiKey != NONE)
        {
            line.addKeyValue("apiKey", ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name : "Unknown(" + apiKey + ")");
        }
        switch (decision)
        {
            case DENY ->
            {
                final int type = buffer.getByte(index + RESOURCE_TYPE_OFFSET);
                final int operation = buffer.getByte(index + OPERATION_OFFSET);
                line.addKeyValue("resourceType", type >= 0 && type < RESOURCE_TYPES.length ? RESOURCE_TYPES[type].yamlName() : "")
                    .addKeyValue("resource", name)
                    .addKeyValue("operation", operation >= 0 && operation < OPERATIONS.length ? OPERATIONS[operation].yamlName() : "");
            }
            case THROTTLE -> line.addKeyValue("quota", name)
                .addKeyValue("throttleMillis", buffer.getLong(index + THROTTLE_MILLIS_OFFSET));
            default -> line.addKeyValue("reason", name);
        }
        line.log(decision.message());
    }

    private static String string(final DirectBuffer buffer, final int at, final int length)
    {
        // A name cut at the byte limit may end inside a character; decoding replaces the fragment.
        return length < 0 ? "" : buffer.getStringWithoutLengthUtf8(at, length);
    }

    private String address(final DirectBuffer buffer, final int index)
    {
        final int length = buffer.getByte(index + ADDRESS_LENGTH_OFFSET);
        final byte[] bytes = length == 4 ? ipv4 : length == 16 ? ipv6 : null;
        if (bytes == null)
        {
            return "";
        }
        buffer.getBytes(index + ADDRESS_OFFSET, bytes);
        try
        {
            // From bytes, so no name is looked up.
            return InetAddress.getByAddress(bytes).getHostAddress();
        }
        catch (final UnknownHostException e)
        {
            return "";
        }
    }
}
