package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthorizationStageTest
{
    private static final short PRODUCE_VERSION = 9;
    private static final short FETCH_VERSION = 12;
    private static final String ACL = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: alice
              resourceType: topic
              resourceName: guarded
              operations: [write, read]
        """;

    private final PolicyFixtures fixtures = new PolicyFixtures(ACL);
    private final AuthorizationStage stage =
        new AuthorizationStage(fixtures.services, UnpooledByteBufAllocator.DEFAULT, InetAddress.getLoopbackAddress());

    @AfterEach
    void tearDown()
    {
        fixtures.close();
    }

    @Test
    void shouldPassAProduceToAllowedTopicsUntouched()
    {
        // Given
        becomes("alice");

        // When
        final RequestDecision decision = authorize(ApiKeys.PRODUCE, PRODUCE_VERSION, produce((short)1, "open"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.PASS);
        assertThat(decision.amendment()).isNull();
    }

    @Test
    void shouldPassEverythingOfAPrincipalNoRuleDenies()
    {
        // Given
        becomes("bob");

        // When
        final RequestDecision decision = authorize(ApiKeys.PRODUCE, PRODUCE_VERSION, produce((short)1, "guarded"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.PASS);
    }

    @Test
    void shouldForwardAProduceWithoutItsDeniedTopicAndGiveItBackInTheResponse()
    {
        // Given
        becomes("alice");

        // When
        final RequestDecision decision = authorize(ApiKeys.PRODUCE, PRODUCE_VERSION, produce((short)1, "open", "guarded"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.FORWARD);
        final ProduceRequestData forwarded = readRequestBody(decision.frame(), ApiKeys.PRODUCE, PRODUCE_VERSION, new ProduceRequestData());
        assertThat(forwarded.topicData().stream().map(TopicProduceData::name)).containsExactly("open");
        final ByteBuf amended = decision.amendment().amend(UnpooledByteBufAllocator.DEFAULT,
            PolicyFixtures.response(ApiKeys.PRODUCE, PRODUCE_VERSION, new ProduceResponseData()),
            PolicyFixtures.responseBodyOffset(ApiKeys.PRODUCE, PRODUCE_VERSION), PRODUCE_VERSION);
        final ProduceResponseData response =
            PolicyFixtures.readResponseBody(amended, ApiKeys.PRODUCE, PRODUCE_VERSION, new ProduceResponseData());
        amended.release();
        assertThat(response.responses().stream().collect(Collectors.toMap(TopicProduceResponse::name,
            topic -> topic.partitionResponses().get(0).errorCode())))
            .containsExactlyEntriesOf(Map.of("guarded", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(fixtures.metrics.denied(ApiKeys.PRODUCE.id, AclResourceType.TOPIC)).isEqualTo(1.0);
    }

    @Test
    void shouldAnswerAProduceWhoseTopicsAreAllDenied()
    {
        // Given
        becomes("alice");

        // When
        final RequestDecision decision = authorize(ApiKeys.PRODUCE, PRODUCE_VERSION, produce((short)-1, "guarded"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.ANSWER);
        final ProduceResponseData answer = (ProduceResponseData)decision.answer();
        assertThat(answer.responses().find("guarded", Uuid.ZERO_UUID).partitionResponses().get(0).errorCode())
            .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void shouldDropAnAcksZeroProduceWhoseTopicsAreAllDeniedAndCountItsPartitions()
    {
        // Given
        becomes("alice");

        // When
        final RequestDecision decision = authorize(ApiKeys.PRODUCE, PRODUCE_VERSION, produce((short)0, "guarded"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.DROP);
        assertThat(fixtures.registry.get(PolicyMetrics.DROPPED_PARTITIONS).counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldForwardAFetchWithoutItsDeniedTopicAndGiveItBackInTheResponse()
    {
        // Given
        becomes("alice");
        final FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMaxBytes(1 << 20)
            .setTopics(List.of(fetchTopic("open"), fetchTopic("guarded")));

        // When
        final RequestDecision decision = authorize(ApiKeys.FETCH, FETCH_VERSION, fetch);

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.FORWARD);
        final FetchRequestData forwarded = readRequestBody(decision.frame(), ApiKeys.FETCH, FETCH_VERSION, new FetchRequestData());
        assertThat(forwarded.topics().stream().map(FetchRequestData.FetchTopic::topic)).containsExactly("open");
        final ByteBuf amended = decision.amendment().amend(UnpooledByteBufAllocator.DEFAULT,
            PolicyFixtures.response(ApiKeys.FETCH, FETCH_VERSION, new FetchResponseData()),
            PolicyFixtures.responseBodyOffset(ApiKeys.FETCH, FETCH_VERSION), FETCH_VERSION);
        final FetchResponseData response = PolicyFixtures.readResponseBody(amended, ApiKeys.FETCH, FETCH_VERSION, new FetchResponseData());
        amended.release();
        assertThat(response.responses()).singleElement().satisfies(topic ->
        {
            assertThat(topic.topic()).isEqualTo("guarded");
            assertThat(topic.partitions().get(0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        });
    }

    @Test
    void shouldRejectAMetadataRequestItCannotParseAsMalformed()
    {
        // Given: a policy that hides topics, so Metadata requests are read whole; one topic entry whose name length is cut
        // after its first byte, on which Kafka's class throws BufferUnderflowException
        final PolicyFixtures hiding = new PolicyFixtures("""
            acl:
              defaultPolicy: allow
              rules:
                - effect: deny
                  principal: alice
                  resourceType: topic
                  resourceName: hidden
                  operations: [describe]
            """);
        final AuthorizationStage hidingStage =
            new AuthorizationStage(hiding.services, UnpooledByteBufAllocator.DEFAULT, InetAddress.getLoopbackAddress());
        hidingStage.onPrincipal("alice");
        hidingStage.refresh();
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.METADATA, (short)4, "app", new byte[] {0, 0, 0, 1, 0});

        try
        {
            // When / Then
            assertThatThrownBy(() -> hidingStage.authorize(hiding.decode(frame), EventLoopFlyweights.current().decision().reset()))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("BufferUnderflowException");
        }
        finally
        {
            frame.release();
            hiding.close();
        }
    }

    private void becomes(final String principal)
    {
        stage.onPrincipal(principal);
        stage.refresh();
    }

    private RequestDecision authorize(final ApiKeys api, final short version, final ApiMessage body)
    {
        final ByteBuf frame = PolicyFixtures.request(api, version, "app", body);
        try
        {
            final RequestDecision decision = EventLoopFlyweights.current().decision().reset();
            stage.authorize(fixtures.decode(frame), decision);
            return decision;
        }
        finally
        {
            frame.release();
        }
    }

    private static <T extends ApiMessage> T readRequestBody(final ByteBuf frame, final ApiKeys api, final short version, final T message)
    {
        try
        {
            final byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            final ByteBuffer buffer = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
            new RequestHeaderData(new ByteBufferAccessor(buffer), api.requestHeaderVersion(version));
            message.read(new ByteBufferAccessor(buffer), version);
            return message;
        }
        finally
        {
            frame.release();
        }
    }

    private static ProduceRequestData produce(final short acks, final String... topics)
    {
        final TopicProduceDataCollection data = new TopicProduceDataCollection();
        for (final String topic : topics)
        {
            data.add(new TopicProduceData().setName(topic).setPartitionData(List.of(new PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[16]))))));
        }
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(1000).setTopicData(data);
    }

    private static FetchRequestData.FetchTopic fetchTopic(final String name)
    {
        return new FetchRequestData.FetchTopic().setTopic(name)
            .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1024)));
    }
}
