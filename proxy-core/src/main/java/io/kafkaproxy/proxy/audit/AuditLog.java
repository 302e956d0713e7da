package io.kafkaproxy.proxy.audit;

import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.config.AuditConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.ADDRESS_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.ADDRESS_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.API_KEY_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.MAX_STRING_BYTES;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.NAME_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.NONE;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.OPERATION_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.PRINCIPAL_LENGTH_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.RESOURCE_TYPE_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.STRINGS_OFFSET;
import static io.kafkaproxy.proxy.audit.AuditRecordDescriptor.THROTTLE_MILLIS_OFFSET;

/**
 * The audit log: records every ACL deny, quota throttle, rejected connection and failover switch from the event loops, and writes
 * them as lines to the {@code kafka-proxy.audit} logger from a thread of its own.
 *
 * <pre>
 *   event loops ──record*()──▶ ManyToOneRingBuffer ──▶ kafka-proxy-audit thread ──▶ SLF4J "kafka-proxy.audit"
 *   (copy primitives and name      (ringSizeBytes)       (decode, rate limit to
 *    bytes; never block, never                            linesPerSecond, log)
 *    allocate; full ring: drop)
 * </pre>
 *
 * <p>The {@code record*} methods may be called from any thread, concurrently: each claims a slot in the ring,
 * copies the event into it and commits, with no lock and no allocation (an IPv6 address is copied once per thread
 * and connection; see {@link #recordDenied}). When the ring is full the event is dropped and counted; the caller
 * is never held up. Events of one thread are logged in the order it recorded them. Lifecycle methods
 * ({@link #start}, {@link #reconfigure}, {@link #close}) belong to the proxy's lifecycle thread.
 *
 * <p>Metrics: {@code kafka.proxy.audit.events} with {@code outcome=logged|suppressed|dropped}.
 */
public final class AuditLog implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(AuditLog.class);
    // How long the audit thread sleeps when the ring is empty: lines appear within this, and an idle proxy wakes the
    // thread only this often. At 10 ms, its 100 wake-ups a second were 1.6% of the proxy's CPU while it forwarded a
    // produce run (bench/RESULTS.md, profiles); a ring of 1 MiB holds far more than the line rate lets out meanwhile.
    private static final long IDLE_SLEEP_MILLIS = 100;
    private static final ThreadLocal<LastAddress> LAST_IPV6_ADDRESS = ThreadLocal.withInitial(LastAddress::new);

    private final ManyToOneRingBuffer ring;
    private final Counter dropped;
    private final AuditLogAgent agent;
    private final AgentRunner runner;
    private volatile boolean enabled;
    private volatile int linesPerSecond;
    private volatile boolean closed;
    private boolean started;

    /**
     * The IPv6 address an event-loop thread copied last, so that repeated events of one connection copy it once.
     */
    private static final class LastAddress
    {
        InetAddress address;
        byte[] bytes;
    }

    /**
     * Creates the audit log; events are kept in the ring until {@link #start()}.
     *
     * @param config   the audit section.
     * @param registry where the event counters live.
     */
    public AuditLog(final AuditConfig config, final MeterRegistry registry)
    {
        this(config, registry, SystemNanoClock.INSTANCE, new SleepingMillisIdleStrategy(IDLE_SLEEP_MILLIS));
    }

    /**
     * Creates the audit log with a given clock for the line rate.
     *
     * @param config       the audit section.
     * @param registry     where the event counters live.
     * @param clock        the clock the line rate is measured by.
     * @param idleStrategy how the audit thread waits for events.
     */
    AuditLog(final AuditConfig config, final MeterRegistry registry, final NanoClock clock, final IdleStrategy idleStrategy)
    {
        final int length = config.ringSizeBytes() + RingBufferDescriptor.TRAILER_LENGTH;
        final AtomicBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 64));
        ring = new ManyToOneRingBuffer(buffer);
        enabled = config.enabled();
        linesPerSecond = config.linesPerSecond();
        dropped = counter(registry, "dropped");
        agent = new AuditLogAgent(ring, clock, () -> linesPerSecond, counter(registry, "logged"), counter(registry, "suppressed"));
        runner = new AgentRunner(idleStrategy, AuditLog::onAgentError, null, agent);
    }

    private static Counter counter(final MeterRegistry registry, final String outcome)
    {
        return Counter.builder(ProxyMetrics.AUDIT_EVENTS)
            .tag(ProxyMetrics.OUTCOME, outcome)
            .description("Audit events: written, over the line rate, or dropped because the ring was full")
            .register(registry);
    }

    private static void onAgentError(final Throwable error)
    {
        LOGGER.atWarn().addKeyValue("error", error.toString()).setCause(error).log("audit log failed to write an event");
    }

    /**
     * Starts the {@code kafka-proxy-audit} daemon thread that writes the lines.
     */
    public void start()
    {
        if (!started)
        {
            started = true;
            AgentRunner.startOnThread(runner, task ->
            {
                final Thread thread = new Thread(task);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /**
     * Applies a new audit section: {@code enabled} and {@code linesPerSecond} take effect at once; the ring keeps
     * its size until a restart.
     *
     * @param config the audit section.
     */
    public void reconfigure(final AuditConfig config)
    {
        enabled = config.enabled();
        linesPerSecond = config.linesPerSecond();
    }

    /**
     * Writes what is left in the ring and stops the audit thread; events recorded afterwards are dropped. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (started)
        {
            // The agent drains the ring in onClose, on the audit thread, before the thread ends.
            runner.close();
        }
        else
        {
            agent.drain();
        }
    }

    /**
     * Records a request an ACL denied, its resource name as bytes in the request frame.
     *
     * <p>Allocates nothing: the principal is encoded straight into the ring, the name's bytes copied. An IPv4
     * address is read without a copy; an IPv6 address is copied once per thread and address object (so once per
     * connection while its events come in a row).
     *
     * @param principal     the client's principal, or null if not known.
     * @param clientAddress the client's address, or null.
     * @param apiKey        the request's api key.
     * @param type          the type of the resource denied, or null.
     * @param op            the operation denied, or null.
     * @param nameBuffer    the buffer holding the resource name, UTF-8.
     * @param nameOffset    where the name starts.
     * @param nameLength    the name's length in bytes; -1 for a null name. Names over 1KiB are cut.
     */
    public void recordDenied(
        final String principal,
        final InetAddress clientAddress,
        final short apiKey,
        final AclResourceType type,
        final AclOperation op,
        final DirectBuffer nameBuffer,
        final int nameOffset,
        final int nameLength)
    {
        if (!enabled)
        {
            return;
        }
        final int principalBytes = BoundedUtf8.length(principal, MAX_STRING_BYTES);
        final int nameBytes = nameLength < 0 ? -1 : Math.min(nameLength, MAX_STRING_BYTES);
        final int index = claim(AuditDecision.DENY, principalBytes, nameBytes);
        if (index < 0)
        {
            return;
        }
        boolean written = false;
        try
        {
            final int stringsAt = putHeader(index, principal, principalBytes, clientAddress, apiKey, type, op, 0L, nameBytes);
            if (nameBytes > 0)
            {
                ring.buffer().putBytes(stringsAt + Math.max(0, principalBytes), nameBuffer, nameOffset, nameBytes);
            }
            written = true;
        }
        finally
        {
            finish(index, written);
        }
    }

    /**
     * Records a request an ACL denied, its resource name as a string the caller already holds.
     *
     * @param principal     the client's principal, or null if not known.
     * @param clientAddress the client's address, or null.
     * @param apiKey        the request's api key.
     * @param type          the type of the resource denied, or null.
     * @param op            the operation denied, or null.
     * @param name          the resource name, or null. Names over 1KiB of UTF-8 are cut.
     */
    public void recordDenied(
        final String principal,
        final InetAddress clientAddress,
        final short apiKey,
        final AclResourceType type,
        final AclOperation op,
        final String name)
    {
        recordWithName(AuditDecision.DENY, principal, clientAddress, apiKey, type, op, 0L, name);
    }

    /**
     * Records a request a quota throttled.
     *
     * @param principal      the client's principal, or null if not known.
     * @param clientAddress  the client's address, or null.
     * @param apiKey         the request's api key.
     * @param quotaKind      which quota, for example {@code produce}, {@code fetch} or {@code request}.
     * @param throttleMillis the throttle time imposed.
     */
    public void recordThrottled(
        final String principal, final InetAddress clientAddress, final short apiKey, final String quotaKind, final long throttleMillis)
    {
        recordWithName(AuditDecision.THROTTLE, principal, clientAddress, apiKey, null, null, throttleMillis, quotaKind);
    }

    /**
     * Records a connection the proxy refused.
     *
     * @param principal     the client's principal, or null if not known yet.
     * @param clientAddress the client's address, or null.
     * @param reason        why, for example {@code addressMaxConnections}.
     */
    public void recordConnectionRejected(final String principal, final InetAddress clientAddress, final String reason)
    {
        recordWithName(AuditDecision.REJECT, principal, clientAddress, (short)NONE, null, null, 0L, reason);
    }

    /**
     * Records a switch of a virtual cluster between its primary and standby upstream.
     *
     * @param principal who asked: {@code operator} for the admin or Java API, {@code proxy} for the probes.
     * @param switchDescription the cluster, from, to, trigger, generation and reason, as {@code key=value} words.
     */
    public void recordFailover(final String principal, final String switchDescription)
    {
        recordWithName(AuditDecision.FAILOVER, principal, null, (short)NONE, null, null, 0L, switchDescription);
    }

    private void recordWithName(
        final AuditDecision decision,
        final String principal,
        final InetAddress clientAddress,
        final short apiKey,
        final AclResourceType type,
        final AclOperation op,
        final long throttleMillis,
        final String name)
    {
        if (!enabled)
        {
            return;
        }
        final int principalBytes = BoundedUtf8.length(principal, MAX_STRING_BYTES);
        final int nameBytes = BoundedUtf8.length(name, MAX_STRING_BYTES);
        final int index = claim(decision, principalBytes, nameBytes);
        if (index < 0)
        {
            return;
        }
        boolean written = false;
        try
        {
            final int stringsAt = putHeader(index, principal, principalBytes, clientAddress, apiKey, type, op, throttleMillis, nameBytes);
            if (nameBytes > 0)
            {
                BoundedUtf8.put(ring.buffer(), stringsAt + Math.max(0, principalBytes), name, nameBytes);
            }
            written = true;
        }
        finally
        {
            finish(index, written);
        }
    }

    private int claim(final AuditDecision decision, final int principalBytes, final int nameBytes)
    {
        final int index = closed ? -1 : ring.tryClaim(decision.msgTypeId(), AuditRecordDescriptor.length(principalBytes, nameBytes));
        if (index < 0)
        {
            dropped.increment();
        }
        return index;
    }

    private void finish(final int index, final boolean written)
    {
        // A claimed slot must be committed or aborted, or the audit thread would wait on it for ever.
        if (written)
        {
            ring.commit(index);
        }
        else
        {
            ring.abort(index);
        }
    }

    private int putHeader(
        final int index,
        final String principal,
        final int principalBytes,
        final InetAddress clientAddress,
        final short apiKey,
        final AclResourceType type,
        final AclOperation op,
        final long throttleMillis,
        final int nameBytes)
    {
        final AtomicBuffer buffer = ring.buffer();
        buffer.putLong(index + THROTTLE_MILLIS_OFFSET, throttleMillis);
        buffer.putShort(index + API_KEY_OFFSET, apiKey);
        buffer.putByte(index + RESOURCE_TYPE_OFFSET, (byte)(type == null ? NONE : type.ordinal()));
        buffer.putByte(index + OPERATION_OFFSET, (byte)(op == null ? NONE : op.ordinal()));
        buffer.putByte(index + ADDRESS_LENGTH_OFFSET, (byte)putAddress(buffer, index + ADDRESS_OFFSET, clientAddress));
        buffer.putShort(index + PRINCIPAL_LENGTH_OFFSET, (short)principalBytes);
        buffer.putShort(index + NAME_LENGTH_OFFSET, (short)nameBytes);
        final int stringsAt = index + STRINGS_OFFSET;
        if (principalBytes > 0)
        {
            BoundedUtf8.put(buffer, stringsAt, principal, principalBytes);
        }
        return stringsAt;
    }

    private static int putAddress(final AtomicBuffer buffer, final int at, final InetAddress address)
    {
        if (address instanceof Inet4Address)
        {
            // An Inet4Address's hash code is its address (so since JDK 1.0; AuditLogTest pins it): read without the
            // array getAddress() would allocate.
            buffer.putInt(at, address.hashCode(), ByteOrder.BIG_ENDIAN);
            return 4;
        }
        if (address instanceof Inet6Address)
        {
            final LastAddress last = LAST_IPV6_ADDRESS.get();
            if (last.address != address)
            {
                last.bytes = address.getAddress();
                last.address = address;
            }
            buffer.putBytes(at, last.bytes);
            return 16;
        }
        return 0;
    }
}
