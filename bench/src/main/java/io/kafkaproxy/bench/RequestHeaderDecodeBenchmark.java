package io.kafkaproxy.bench;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * What the proxy pays per request before forwarding it: validating the header and, for Produce, reading acks.
 *
 * <p>The frame is a real Produce request (built by Kafka's own classes) sitting in off-heap memory, as frames
 * do in the proxy; the flyweights are reused across iterations, as they are per connection. The versions are the
 * oldest flexible one and the newest, which differ in header layout.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RequestHeaderDecodeBenchmark
{
    @Param({"9", "13"})
    short produceVersion;

    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
    private int messageLength;

    @Setup
    public void buildFrame()
    {
        final ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(ApiKeys.PRODUCE.id).setRequestApiVersion(produceVersion).setCorrelationId(42)
            .setClientId("producer-1"), ApiKeys.PRODUCE.requestHeaderVersion(produceVersion)).buffer();
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(new ProduceRequestData().setAcks((short)-1)
            .setTimeoutMs(30000).setTransactionalId("txn"), produceVersion).buffer();
        messageLength = headerBytes.remaining() + body.remaining();
        final ByteBuffer direct = ByteBuffer.allocateDirect(FrameDescriptor.MESSAGE_OFFSET + messageLength);
        direct.putInt(messageLength).put(headerBytes).put(body).flip();
        frame.wrap(direct);
    }

    @Benchmark
    public short decodeHeaderAndAcks()
    {
        header.wrap(frame, FrameDescriptor.MESSAGE_OFFSET, messageLength);
        return produce.wrap(frame, header.bodyOffset(), header.bodyLength(), header.apiVersion()).acks();
    }
}
