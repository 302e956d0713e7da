package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.RequestDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionPolicyTest
{
    private static final short PRODUCE_VERSION = 9;
    private static final String POLICY = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: alice
              resourceType: topic
              resourceName: guarded
              operations: [write]
        quotas:
          - principal: CN=service
            maxConnections: 1
        """;

    private final PolicyFixtures fixtures = new PolicyFixtures(POLICY);

    @AfterEach
    void tearDown()
    {
        fixtures.close();
    }

    @Test
    void shouldAnswerARequestWhoseTopicsAreAllDeniedWithAFramedResponse()
    {
        // Given: the client.id is the principal
        final ConnectionPolicy policy = policy();

        // When
        final RequestDecision decision = onRequest(policy, "alice", ApiKeys.PRODUCE, PRODUCE_VERSION, produce("guarded"));

        // Then
        assertThat(decision.kind()).isEqualTo(RequestDecision.ANSWER);
        final ByteBuf answer = decision.frame();
        final ProduceResponseData response =
            PolicyFixtures.readResponseBody(answer, ApiKeys.PRODUCE, PRODUCE_VERSION, new ProduceResponseData());
        answer.release();
        assertThat(response.responses().iterator().next().partitionResponses().get(0).errorCode())
            .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void shouldTakeTheIdentityOfASourceTheListenerKnowsBeforeTheClientId()
    {
        // Given: a source that names the principal from the start, as a TLS client certificate would
        final ConnectionPolicy policy = policy(() -> "CN=service");

        // When
        final RequestDecision decision = onRequest(policy, "alice", ApiKeys.PRODUCE, PRODUCE_VERSION, produce("guarded"));

        // Then: alice's rules do not apply to CN=service
        assertThat(decision.kind()).isEqualTo(RequestDecision.PASS);
        assertThat(policy.principal()).isEqualTo("CN=service");
    }

    @Test
    void shouldRejectEveryRequestOfAConnectionOverItsPrincipalsLimit()
    {
        // Given
        final ConnectionPolicy first = policy(() -> "CN=service");
        final ConnectionPolicy second = policy(() -> "CN=service");
        final int firstDecision = onRequest(first, "app", ApiKeys.METADATA, (short)12, metadata()).kind();

        // When
        final int secondDecision = onRequest(second, "app", ApiKeys.METADATA, (short)12, metadata()).kind();
        final int secondAgain = onRequest(second, "app", ApiKeys.METADATA, (short)12, metadata()).kind();

        // Then
        assertThat(firstDecision).isEqualTo(RequestDecision.PASS);
        assertThat(secondDecision).isEqualTo(RequestDecision.REJECT);
        assertThat(secondAgain).isEqualTo(RequestDecision.REJECT);
    }

    @Test
    void shouldSayWhichResponsesItsStagesReadWhole()
    {
        // Given: a connection whose identity may come from a passthrough SASL login
        final ConnectionPolicy policy = policy();

        // When
        final boolean saslAuthenticate = policy.readsResponse(ApiKeys.SASL_AUTHENTICATE.id, (short)2);
        final boolean metadataWithTopicIds = policy.readsResponse(ApiKeys.METADATA.id, (short)12);
        final boolean metadataWithoutTopicIds = policy.readsResponse(ApiKeys.METADATA.id, (short)9);
        final boolean fetch = policy.readsResponse(ApiKeys.FETCH.id, ApiKeys.FETCH.latestVersion(true));
        final boolean produce = policy.readsResponse(ApiKeys.PRODUCE.id, PRODUCE_VERSION);

        // Then: the login's answer names the principal, Metadata the topic ids; the quota needs only a Fetch's head
        assertThat(saslAuthenticate).isTrue();
        assertThat(metadataWithTopicIds).isTrue();
        assertThat(metadataWithoutTopicIds).isFalse();
        assertThat(fetch).isFalse();
        assertThat(produce).isFalse();
    }

    @Test
    void shouldReadWholeEveryRequestButAProduceRequestNoRuleNeedsTheTopicsOf()
    {
        // Given: bob has no rules, alice may not write to one topic
        final ConnectionPolicy bob = policy();
        onRequest(bob, "bob", ApiKeys.METADATA, (short)12, metadata());
        final ConnectionPolicy alice = policy();
        onRequest(alice, "alice", ApiKeys.METADATA, (short)12, metadata());

        // When
        final boolean bobProduce = bob.readsRequest(ApiKeys.PRODUCE.id);
        final boolean bobFetch = bob.readsRequest(ApiKeys.FETCH.id);
        final boolean bobMetadata = bob.readsRequest(ApiKeys.METADATA.id);
        final boolean aliceProduce = alice.readsRequest(ApiKeys.PRODUCE.id);

        // Then: only a Produce request whose topics no rule looks at may be decided from its head
        assertThat(bobProduce).isFalse();
        assertThat(bobFetch).isTrue();
        assertThat(bobMetadata).isTrue();
        assertThat(aliceProduce).isTrue();
    }

    @Test
    void shouldReadWholeAProduceRequestWhoseTopicsAQuotaCharges()
    {
        // Given: carol's produce bytes are limited per topic, dave's per connection
        try (PolicyFixtures topicQuotas = new PolicyFixtures("""
            quotas:
              - principal: carol
                topic: orders-*
                produceBytesPerSecond: 1MiB
              - principal: dave
                produceBytesPerSecond: 1MiB
            """))
        {
            final ConnectionPolicy carol = policy(topicQuotas);
            final ConnectionPolicy dave = policy(topicQuotas);
            onRequest(topicQuotas, carol, "carol", ApiKeys.METADATA, (short)12, metadata());
            onRequest(topicQuotas, dave, "dave", ApiKeys.METADATA, (short)12, metadata());

            // When
            final boolean carolProduce = carol.readsRequest(ApiKeys.PRODUCE.id);
            final boolean daveProduce = dave.readsRequest(ApiKeys.PRODUCE.id);

            // Then: a per-topic quota walks the topics; a byte quota needs only the frame's length
            assertThat(carolProduce).isTrue();
            assertThat(daveProduce).isFalse();
        }
    }

    @Test
    void shouldPassAProduceRequestFromItsHeadAndChargeItsWholeLength()
    {
        // Given: a byte quota on dave, and the first bytes of a request much larger than the quota allows per second
        try (PolicyFixtures byteQuota = new PolicyFixtures("""
            quotas:
              - principal: dave
                produceBytesPerSecond: 1KiB
            """))
        {
            final ConnectionPolicy dave = policy(byteQuota);
            final ByteBuf frame = PolicyFixtures.request(ApiKeys.PRODUCE, PRODUCE_VERSION, "dave", produce("orders", 64 * 1024));
            final ByteBuf head = frame.retainedSlice(frame.readerIndex(), 200);

            // When
            final RequestDecision decision;
            try
            {
                decision = dave.onRequestHead(byteQuota.decodeHead(head, frame.readableBytes()));
            }
            finally
            {
                head.release();
                frame.release();
            }

            // Then: passed, and throttled for the whole frame, not the head
            assertThat(decision.kind()).isEqualTo(RequestDecision.PASS);
            assertThat(dave.principal()).isEqualTo("dave");
            assertThat(dave.throttleRemainingNanos(0L)).as("read at 0").isGreaterThan(TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void shouldLeaveToTheWholeRequestAProduceRequestWhoseTopicsARuleNeeds()
    {
        // Given: alice may not write to one topic
        final ConnectionPolicy alice = policy();
        final ByteBuf frame = PolicyFixtures.request(ApiKeys.PRODUCE, PRODUCE_VERSION, "alice", produce("guarded", 4096));
        final ByteBuf head = frame.retainedSlice(frame.readerIndex(), 200);

        // When
        final RequestDecision fromHead;
        final RequestDecision whole;
        try
        {
            fromHead = alice.onRequestHead(fixtures.decodeHead(head, frame.readableBytes()));
            whole = alice.onRequest(fixtures.decode(frame));
        }
        finally
        {
            head.release();
        }

        // Then: the head decides nothing; the whole request is answered with the denial, as ever
        assertThat(fromHead).isNull();
        assertThat(whole.kind()).isEqualTo(RequestDecision.ANSWER);
        whole.frame().release();
        frame.release();
    }

    private ConnectionPolicy policy(final PolicyFixtures other)
    {
        final ConnectionPolicy policy =
            new ConnectionPolicy(other.services, UnpooledByteBufAllocator.DEFAULT, InetAddress.getLoopbackAddress());
        policy.onConnected();
        return policy;
    }

    private static void onRequest(
        final PolicyFixtures other, final ConnectionPolicy policy, final String clientId, final ApiKeys api, final short version,
        final ApiMessage body)
    {
        final ByteBuf frame = PolicyFixtures.request(api, version, clientId, body);
        try
        {
            policy.onRequest(other.decode(frame));
        }
        finally
        {
            frame.release();
        }
    }

    private ConnectionPolicy policy(final PrincipalSource... sources)
    {
        final ConnectionPolicy policy =
            new ConnectionPolicy(fixtures.services, UnpooledByteBufAllocator.DEFAULT, InetAddress.getLoopbackAddress(), sources);
        policy.onConnected();
        return policy;
    }

    private RequestDecision onRequest(
        final ConnectionPolicy policy, final String clientId, final ApiKeys api, final short version, final ApiMessage body)
    {
        final ByteBuf frame = PolicyFixtures.request(api, version, clientId, body);
        try
        {
            return policy.onRequest(fixtures.decode(frame));
        }
        finally
        {
            frame.release();
        }
    }

    private static MetadataRequestData metadata()
    {
        return new MetadataRequestData().setTopics(List.of());
    }

    private static ProduceRequestData produce(final String topic)
    {
        return produce(topic, 16);
    }

    private static ProduceRequestData produce(final String topic, final int valueBytes)
    {
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setPartitionData(List.of(new PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[valueBytes]))))));
        return new ProduceRequestData().setAcks((short)1).setTimeoutMs(1000).setTopicData(topics);
    }
}
