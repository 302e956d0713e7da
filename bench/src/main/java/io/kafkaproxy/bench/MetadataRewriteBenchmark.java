package io.kafkaproxy.bench;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.protocol.responses.MetadataResponseRewriter;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of rewriting broker addresses in a Metadata response, as the topic count grows: the proxy's
 * splice (only the brokers array is touched) against decoding and re-encoding the whole response with Kafka's
 * generated classes, which is what a proxy without flyweights does.
 *
 * <p>Six brokers, ten partitions per topic, Metadata v12, the version current clients use.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class MetadataRewriteBenchmark
{
    private static final short VERSION = 12;
    private static final BrokerEndpointMapper MAPPER = FixedEndpoints.MAPPER;

    @Param({"10", "1000"})
    int topics;

    private final MetadataResponseRewriter rewriter = new MetadataResponseRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private UnsafeBuffer body;
    private ByteBuffer heapBody;

    @Setup
    public void buildResponse()
    {
        final MetadataResponseData data = new MetadataResponseData().setClusterId("cluster").setControllerId(1);
        for (int node = 0; node < 6; node++)
        {
            data.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(node).setHost("broker-" + node + ".internal.example.com").setPort(9092).setRack("rack-" + node % 3));
        }
        for (int topic = 0; topic < topics; topic++)
        {
            final MetadataResponseData.MetadataResponseTopic entry = new MetadataResponseData.MetadataResponseTopic()
                .setName("topic-" + topic).setTopicId(Uuid.randomUuid());
            for (int partition = 0; partition < 10; partition++)
            {
                entry.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(partition).setLeaderId(partition % 6).setLeaderEpoch(3)
                    .setReplicaNodes(List.of(partition % 6, (partition + 1) % 6, (partition + 2) % 6))
                    .setIsrNodes(List.of(partition % 6, (partition + 1) % 6, (partition + 2) % 6)));
            }
            data.topics().add(entry);
        }
        heapBody = MessageUtil.toByteBufferAccessor(data, VERSION).buffer();
        body = FixedEndpoints.offHeap(heapBody);
    }

    @Benchmark
    public int spliceBrokers()
    {
        rewriter.rewrite(body, 0, body.capacity(), VERSION, MAPPER, splice);
        return splice.replacementLength();
    }

    @Benchmark
    public int decodeAndReencodeWithGeneratedClasses()
    {
        final MetadataResponseData data = new MetadataResponseData(new ByteBufferAccessor(heapBody.duplicate()), VERSION);
        data.brokers().forEach(broker -> broker.setHost(MAPPER.advertisedHost()).setPort(MAPPER.proxyPort(broker.nodeId(), broker.host(), broker.port())));
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer out = ByteBuffer.allocate(data.size(cache, VERSION));
        data.write(new ByteBufferAccessor(out), cache, VERSION);
        return out.position();
    }
}
