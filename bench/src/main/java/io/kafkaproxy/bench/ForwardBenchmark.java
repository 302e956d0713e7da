package io.kafkaproxy.bench;

import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.NodePortsConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's own cost per request, without a real broker's noise: a client socket sends a Produce or Fetch
 * request through an in-process proxy to a {@link StandInBroker} that answers from pre-built bytes, and reads the
 * response. Compared with the same round trip straight to the stand-in ({@code path=direct}), the difference is
 * what the proxy adds; {@code -prof gc} shows its heap allocation per forwarded request and response.
 *
 * <p>Produce v11 (acks=1) carries one batch of {@code recordBytes}; its response is small. Fetch v16 is small;
 * its response carries one partition's batch of {@code recordBytes}. Both versions carry the tagged fields the
 * proxy inspects for broker endpoints, so the response walk is part of the figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dio.netty.leakDetection.level=disabled"})
public class ForwardBenchmark
{
    private static final short PRODUCE_VERSION = 11;
    private static final short FETCH_VERSION = 16;
    private static final int CORRELATION_ID_OFFSET = 8;

    @Param({"produce", "fetch"})
    String api;

    @Param({"1024", "65536"})
    int recordBytes;

    @Param({"proxy", "direct"})
    String path;

    private StandInBroker broker;
    private KafkaProxy proxy;
    private SocketChannel client;
    private ByteBuffer request;
    private final ByteBuffer responseSize = ByteBuffer.allocateDirect(4);
    private ByteBuffer response;
    private int correlationId;

    @Setup
    public void start() throws IOException
    {
        final Uuid topicId = Uuid.randomUuid();
        final MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[recordBytes]));
        broker = StandInBroker.start(produceResponse(), fetchResponse(topicId, batch));
        request = "produce".equals(api) ? produceRequest(batch) : fetchRequest(topicId);
        response = ByteBuffer.allocateDirect(recordBytes + 64 * 1024);
        final int port;
        if ("proxy".equals(path))
        {
            proxy = KafkaProxy.builder(ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("127.0.0.1", broker.port())), null))
                .listener(new ListenerConfig(new HostPort("127.0.0.1", 0), "127.0.0.1", new NodePortsConfig(0, 1)))
                .network(NetworkConfig.of(1, "16MiB", "16MiB", null))
                .memory(MemoryConfig.of("64MiB", null, null, null))
                .admin(AdminConfig.of(false, null))
                .build()).start();
            port = proxy.bootstrapAddress().getPort();
        }
        else
        {
            port = broker.port();
        }
        client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        client.socket().setTcpNoDelay(true);
    }

    @TearDown
    public void stop() throws IOException
    {
        client.close();
        if (proxy != null)
        {
            proxy.close();
        }
        broker.close();
    }

    @Benchmark
    public int roundTrip() throws IOException
    {
        request.putInt(CORRELATION_ID_OFFSET, ++correlationId);
        request.clear();
        while (request.hasRemaining())
        {
            client.write(request);
        }
        responseSize.clear();
        StandInBroker.readFully(client, responseSize);
        response.clear().limit(responseSize.getInt(0));
        StandInBroker.readFully(client, response);
        final int answered = response.getInt(0);
        if (answered != correlationId)
        {
            throw new IllegalStateException("response " + answered + " to request " + correlationId);
        }
        return answered;
    }

    private static ByteBuffer produceRequest(final MemoryRecords batch)
    {
        final ProduceRequestData body = new ProduceRequestData().setAcks((short)1).setTimeoutMs(30_000);
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("bench");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        body.topicData().add(topic);
        return StandInBroker.frame(header(ApiKeys.PRODUCE, PRODUCE_VERSION), ApiKeys.PRODUCE.requestHeaderVersion(PRODUCE_VERSION),
            body, PRODUCE_VERSION);
    }

    private static ByteBuffer produceResponse()
    {
        final ProduceResponseData body = new ProduceResponseData();
        final ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("bench");
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0).setBaseOffset(42));
        body.responses().add(topic);
        return StandInBroker.frame(new ResponseHeaderData(), ApiKeys.PRODUCE.responseHeaderVersion(PRODUCE_VERSION), body,
            PRODUCE_VERSION);
    }

    private static ByteBuffer fetchRequest(final Uuid topicId)
    {
        final FetchRequestData body = new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(50 << 20);
        final FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(topicId);
        topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        body.topics().add(topic);
        return StandInBroker.frame(header(ApiKeys.FETCH, FETCH_VERSION), ApiKeys.FETCH.requestHeaderVersion(FETCH_VERSION), body,
            FETCH_VERSION);
    }

    private static ByteBuffer fetchResponse(final Uuid topicId, final MemoryRecords batch)
    {
        final FetchResponseData body = new FetchResponseData();
        final FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopicId(topicId);
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1).setRecords(batch));
        body.responses().add(topic);
        return StandInBroker.frame(new ResponseHeaderData(), ApiKeys.FETCH.responseHeaderVersion(FETCH_VERSION), body, FETCH_VERSION);
    }

    private static RequestHeaderData header(final ApiKeys api, final short version)
    {
        return new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version).setClientId("bench").setCorrelationId(0);
    }
}
