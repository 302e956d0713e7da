package io.kafkaproxy.bench;

import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
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

import java.util.concurrent.TimeUnit;

/**
 * What ACL checks and produce quotas add per request: wrapping a Produce or Fetch request body and walking all its
 * topics (name or id, partition count, and for Produce the record bytes a byte-rate quota charges).
 *
 * <p>The bodies are real requests built by Kafka's own classes and copied off-heap, as frames sit in the proxy;
 * the flyweights are reused across iterations, as they are per connection. The shapes are a producer's common
 * case (one topic, one partition, a 1 KiB batch) and a wide batch (10 topics of 10 partitions, 1 KiB each); the
 * walk skips record sets by their length, so their size does not matter. The versions are the first flexible one
 * (Produce v9, Fetch v12, names as strings) and the newest a current client sends (Produce v13, Fetch v17, topic
 * ids instead of names).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class TopicWalkBenchmark
{
    private static final int RECORD_VALUE_BYTES = 1024;

    @Param({"1x1", "10x10"})
    String topicsByPartitions;

    @Param({"flexible", "topic-ids"})
    String versions;

    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
    private final FetchRequestFlyweight fetch = new FetchRequestFlyweight();
    private short produceVersion;
    private short fetchVersion;
    private UnsafeBuffer produceBody;
    private UnsafeBuffer fetchBody;

    @Setup
    public void buildRequests()
    {
        final boolean topicIds = "topic-ids".equals(versions);
        produceVersion = topicIds ? (short)13 : (short)9;
        fetchVersion = topicIds ? (short)17 : (short)12;
        final int topics = "1x1".equals(topicsByPartitions) ? 1 : 10;
        final int partitions = topics;

        final ProduceRequestData produceData = new ProduceRequestData().setAcks((short)-1).setTimeoutMs(30000);
        final FetchRequestData fetchData = new FetchRequestData().setMaxWaitMs(500).setMinBytes(1)
            .setMaxBytes(52_428_800).setSessionId(7).setSessionEpoch(3).setRackId("rack-a");
        for (int t = 0; t < topics; t++)
        {
            final ProduceRequestData.TopicProduceData produceTopic = new ProduceRequestData.TopicProduceData()
                .setName("orders-events-" + t).setTopicId(new Uuid(0x5EEDL, t));
            final FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic()
                .setTopic("orders-events-" + t).setTopicId(new Uuid(0x5EEDL, t));
            for (int p = 0; p < partitions; p++)
            {
                produceTopic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                    .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[RECORD_VALUE_BYTES]))));
                fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setCurrentLeaderEpoch(5)
                    .setFetchOffset(1_000_000L + p).setLastFetchedEpoch(5).setPartitionMaxBytes(1_048_576));
            }
            produceData.topicData().add(produceTopic);
            fetchData.topics().add(fetchTopic);
        }
        produceBody = FixedEndpoints.offHeap(MessageUtil.toByteBufferAccessor(produceData, produceVersion).buffer());
        fetchBody = FixedEndpoints.offHeap(MessageUtil.toByteBufferAccessor(fetchData, fetchVersion).buffer());
    }

    @Benchmark
    public long produceTopicWalk()
    {
        produce.wrap(produceBody, 0, produceBody.capacity(), produceVersion);
        long sum = 0;
        while (produce.nextTopic())
        {
            sum += produce.recordBytes() + produce.partitionCount() + produce.topicNameLength() +
                produce.topicIdLeastSignificantBits();
        }
        return sum;
    }

    @Benchmark
    public long fetchTopicWalk()
    {
        fetch.wrap(fetchBody, 0, fetchBody.capacity(), fetchVersion);
        long sum = 0;
        while (fetch.nextTopic())
        {
            sum += fetch.partitionCount() + fetch.topicNameLength() + fetch.topicIdLeastSignificantBits();
        }
        return sum;
    }
}
