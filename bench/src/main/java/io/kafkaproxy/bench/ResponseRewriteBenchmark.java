package io.kafkaproxy.bench;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
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
 * The other responses the proxy reads on their way through: FindCoordinator (the v3 single coordinator and the v4+
 * batch), ApiVersions (intersecting every api's range with what the proxy decodes) and a Fetch v17 response whose
 * top-level tagged fields are checked for broker endpoints (a 64 KiB batch to skip over). Each through
 * {@link ResponseRewriters#rewrite}, as the connection calls it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ResponseRewriteBenchmark
{
    private static final BrokerEndpointMapper MAPPER = FixedEndpoints.MAPPER;

    @Param({"FindCoordinator-v3", "FindCoordinator-v6-3-groups", "ApiVersions-v4", "Fetch-v17-64KiB"})
    String response;

    private final ResponseRewriters rewriters = new ResponseRewriters();
    private final ResponseSplice splice = new ResponseSplice();
    private short apiKey;
    private short version;
    private UnsafeBuffer body;

    @Setup
    public void buildResponse()
    {
        final ApiMessage message;
        switch (response)
        {
            case "FindCoordinator-v3":
                apiKey = ApiKeys.FIND_COORDINATOR.id;
                version = 3;
                message = new FindCoordinatorResponseData().setNodeId(2).setHost("broker-2.internal.example.com").setPort(9092);
                break;
            case "FindCoordinator-v6-3-groups":
                apiKey = ApiKeys.FIND_COORDINATOR.id;
                version = 6;
                final FindCoordinatorResponseData batch = new FindCoordinatorResponseData();
                for (int group = 0; group < 3; group++)
                {
                    batch.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("group-" + group)
                        .setNodeId(group).setHost("broker-" + group + ".internal.example.com").setPort(9092));
                }
                message = batch;
                break;
            case "ApiVersions-v4":
                apiKey = ApiKeys.API_VERSIONS.id;
                version = 4;
                final ApiVersionsResponseData versions = new ApiVersionsResponseData();
                for (final ApiKeys api : ApiKeys.values())
                {
                    versions.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id)
                        .setMinVersion(api.oldestVersion()).setMaxVersion(api.latestVersion()));
                }
                message = versions;
                break;
            default:
                apiKey = ApiKeys.FETCH.id;
                version = 17;
                final FetchResponseData fetch = new FetchResponseData();
                final FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                    .setTopicId(Uuid.randomUuid());
                topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1)
                    .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[64 * 1024]))));
                fetch.responses().add(topic);
                message = fetch;
                break;
        }
        body = FixedEndpoints.offHeap(MessageUtil.toByteBufferAccessor(message, version).buffer());
    }

    @Benchmark
    public int rewrite()
    {
        return rewriters.rewrite(apiKey, version, body, 0, body.capacity(), MAPPER, splice);
    }
}
