package io.kafkaproxy.protocol;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds wire bytes with Kafka's generated classes (the oracle) and applies splices, for the protocol tests.
 */
public final class WireFixtures
{
    /** Bodies are placed at this offset so that a flyweight using relative offsets is caught. */
    public static final int BODY_OFFSET = 13;

    private WireFixtures()
    {
    }

    /**
     * Serializes a message at a version into a fresh buffer, at {@link #BODY_OFFSET}.
     */
    public static UnsafeBuffer serialize(final ApiMessage message, final short version)
    {
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(message, version).buffer();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(BODY_OFFSET + body.remaining() + 7));
        buffer.putBytes(BODY_OFFSET, body, body.position(), body.remaining());
        return buffer;
    }

    /**
     * Serializes a message at a version kafka-clients still writes, then cuts one field out of the body, at
     * {@link #BODY_OFFSET}: how the tests build versions kafka-clients 4 removed (KIP-896). Its schemas keep those
     * versions' field ranges, but its nested structs refuse to write them.
     */
    public static UnsafeBuffer serializeWithout(
        final ApiMessage message, final short writtenVersion, final int fieldOffset, final int fieldLength)
    {
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(message, writtenVersion).buffer();
        final int length = body.remaining() - fieldLength;
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(BODY_OFFSET + length + 7));
        buffer.putBytes(BODY_OFFSET, body, body.position(), fieldOffset);
        buffer.putBytes(BODY_OFFSET + fieldOffset, body, body.position() + fieldOffset + fieldLength,
            length - fieldOffset);
        return buffer;
    }

    /**
     * The body length of a buffer made by {@link #serialize}.
     */
    public static int bodyLength(final ApiMessage message, final short version)
    {
        return MessageUtil.toByteBufferAccessor(message, version).buffer().remaining();
    }

    /**
     * The body after a splice: kept prefix, replacement, kept suffix.
     */
    public static ByteBuffer spliced(final DirectBuffer buffer, final int bodyOffset, final int bodyLength, final ResponseSplice splice)
    {
        final int prefix = splice.replaceFromOffset() - bodyOffset;
        final int suffix = bodyOffset + bodyLength - splice.replaceToOffset();
        final byte[] result = new byte[prefix + splice.replacementLength() + suffix];
        buffer.getBytes(bodyOffset, result, 0, prefix);
        splice.replacement().getBytes(0, result, prefix, splice.replacementLength());
        buffer.getBytes(splice.replaceToOffset(), result, prefix + splice.replacementLength(), suffix);
        return ByteBuffer.wrap(result);
    }

    /**
     * What a message looks like after a trip through the wire at a version: fields the version lacks take
     * their defaults. The expected side of every comparison goes through this.
     */
    public static <T extends ApiMessage> T roundTrip(
        final T message, final short version, final java.util.function.BiFunction<org.apache.kafka.common.protocol.Readable, Short, T> parser)
    {
        return parser.apply(MessageUtil.toByteBufferAccessor(message, version), version);
    }

    /**
     * An accessor for parsing spliced bytes with a generated class.
     */
    public static ByteBufferAccessor accessor(final ByteBuffer body)
    {
        return new ByteBufferAccessor(body);
    }

    /**
     * Bytes the current thread allocated while running an action a number of times, after as many runs to warm
     * it up. Counted by the JVM, not timed, so the result does not depend on machine load.
     */
    public static long allocatedBytes(final int runs, final Runnable action)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < runs; i++)
        {
            action.run();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < runs; i++)
        {
            action.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /**
     * A mapper that sends node n to port 40000 + n on {@code proxy.example}, remembering what it was asked.
     */
    public static final class RecordingMapper implements BrokerEndpointMapper
    {
        public static final String ADVERTISED_HOST = "proxy.example";
        public final Map<Integer, String> brokerAddresses = new HashMap<>();
        public final Map<Integer, Integer> forcedPorts = new HashMap<>();
        public String clusterId;

        @Override
        public String clusterId()
        {
            return clusterId;
        }

        @Override
        public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
        {
            brokerAddresses.put(nodeId, brokerHost + ":" + brokerPort);
            return forcedPorts.getOrDefault(nodeId, proxyPortOf(nodeId));
        }

        @Override
        public String advertisedHost()
        {
            return ADVERTISED_HOST;
        }

        public static int proxyPortOf(final int nodeId)
        {
            return 40000 + Math.floorMod(nodeId, 1000);
        }
    }
}
