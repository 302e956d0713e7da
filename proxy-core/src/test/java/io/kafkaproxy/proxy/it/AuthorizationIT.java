package io.kafkaproxy.proxy.it;

import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.testing.InJvmKafka;
import io.kafkaproxy.proxy.testing.PolicyConfigs;
import io.kafkaproxy.proxy.testing.ProxiedKafka;
import io.kafkaproxy.proxy.testing.SaslPlainUsers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * ACL rules at the proxy in front of a broker that requires SASL/PLAIN: the proxy takes the principal from the
 * SASL exchange it passes through, and denied clients get exactly the errors a broker gives, per topic, next to the
 * broker's real answers for what is allowed.
 */
class AuthorizationIT
{
    private static final String RULES = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: alice
              resourceType: topic
              resourceName: guarded
              operations: [write, read]
            - effect: deny
              principal: alice
              resourceType: topic
              resourceName: secret-
              patternType: prefixed
              operations: [describe]
            - effect: deny
              principal: alice
              resourceType: group
              resourceName: bobs-group
              operations: [all]
        """;

    private static ProxiedKafka kafka;

    @BeforeAll
    static void start() throws Exception
    {
        kafka = ProxiedKafka.inFrontOf(InJvmKafka.start(List.of(1), SaslPlainUsers.brokerOverrides()),
            PolicyConfigs.withPolicy(RULES), pipeline -> { });
        try (Admin admin = Admin.create(loginAs(SaslPlainUsers.ADMIN, kafka.adminConfig())))
        {
            admin.createTopics(List.of(
                new NewTopic("guarded", 1, (short)1),
                new NewTopic("open", 1, (short)1),
                new NewTopic("secret-plans", 1, (short)1),
                new NewTopic("reloaded", 1, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop()
    {
        if (kafka != null)
        {
            kafka.close();
        }
    }

    @Test
    void aDeniedUserShouldGetTopicAuthorizationFailedWhileAnAllowedUserWrites() throws Exception
    {
        // Given
        final Map<String, Object> alice = producer(SaslPlainUsers.ALICE);
        final Map<String, Object> bob = producer(SaslPlainUsers.BOB);

        // When
        final List<RecordMetadata> bobsWrites = send(bob, "guarded", List.of("b1", "b2"));

        // Then
        assertThat(bobsWrites).hasSize(2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
        {
            final Future<RecordMetadata> denied = producer.send(new ProducerRecord<>("guarded", "a1"));
            assertThatThrownBy(() -> denied.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(kafka.proxy().metrics().registry().find("kafka.proxy.authorization.denials")
            .tag("api", ApiKeys.PRODUCE.name).tag("resource_type", AclResourceType.TOPIC.yamlName()).counter())
            .isNotNull()
            .satisfies(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void oneProduceRequestShouldSucceedForTheAllowedTopicAndFailForTheDeniedOne() throws Exception
    {
        // Given: a long linger, so both records leave in one Produce request to the one broker.
        final Map<String, Object> alice = producer(SaslPlainUsers.ALICE);
        alice.put(ProducerConfig.LINGER_MS_CONFIG, 500);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice))
        {
            producer.partitionsFor("guarded");
            producer.partitionsFor("open");

            // When
            final Future<RecordMetadata> allowed = producer.send(new ProducerRecord<>("open", "mixed-allowed"));
            final Future<RecordMetadata> denied = producer.send(new ProducerRecord<>("guarded", "mixed-denied"));
            producer.flush();

            // Then
            assertThat(allowed.get(60, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
            assertThatThrownBy(() -> denied.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(consumeAll(SaslPlainUsers.BOB, "open")).contains("mixed-allowed");
        assertThat(consumeAll(SaslPlainUsers.BOB, "guarded")).doesNotContain("mixed-denied");
    }

    @Test
    void aDeniedConsumerShouldSeeTheAuthorizationErrorWhileAnAllowedOneReadsEverything() throws Exception
    {
        // Given
        send(producer(SaslPlainUsers.BOB), "guarded", List.of("r1", "r2", "r3"));

        // When
        final List<String> bobsRecords = consumeAll(SaslPlainUsers.BOB, "guarded");

        // Then
        assertThat(bobsRecords).contains("r1", "r2", "r3");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumer(SaslPlainUsers.ALICE, null)))
        {
            consumer.assign(List.of(new TopicPartition("guarded", 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThatThrownBy(() -> pollUntilError(consumer)).isInstanceOf(TopicAuthorizationException.class)
                .satisfies(e -> assertThat(((TopicAuthorizationException)e).unauthorizedTopics()).contains("guarded"));
        }
    }

    @Test
    void aDeniedGroupShouldAnswerGroupAuthorizationFailed()
    {
        // Given
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumer(SaslPlainUsers.ALICE, "bobs-group")))
        {
            // When
            consumer.subscribe(List.of("open"));

            // Then
            assertThatThrownBy(() -> pollUntilError(consumer)).isInstanceOf(GroupAuthorizationException.class);
        }
    }

    @Test
    void metadataShouldHideTopicsTheClientMayNotDescribe() throws Exception
    {
        // Given
        try (Admin alice = Admin.create(loginAs(SaslPlainUsers.ALICE, kafka.adminConfig()));
             Admin bob = Admin.create(loginAs(SaslPlainUsers.BOB, kafka.adminConfig())))
        {
            // When
            final Set<String> alicesTopics = alice.listTopics().names().get(60, TimeUnit.SECONDS);
            final Set<String> bobsTopics = bob.listTopics().names().get(60, TimeUnit.SECONDS);

            // Then
            assertThat(bobsTopics).contains("secret-plans", "open");
            assertThat(alicesTopics).contains("open").doesNotContain("secret-plans");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producer(SaslPlainUsers.ALICE)))
            {
                final Future<RecordMetadata> send = producer.send(new ProducerRecord<>("secret-plans", "x"));
                assertThatThrownBy(() -> send.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    @Test
    void aRuleChangedByReloadShouldApplyWithoutReconnecting() throws Exception
    {
        // Given
        final Map<String, Object> bob = producer(SaslPlainUsers.BOB);
        bob.put(ProducerConfig.RETRIES_CONFIG, 0);
        bob.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(bob))
        {
            producer.send(new ProducerRecord<>("reloaded", "before")).get(60, TimeUnit.SECONDS);
            final long connectionsBefore = kafka.proxy().metrics().activeConnections(io.kafkaproxy.proxy.metrics.ProxyMetrics.Side.CLIENT);

            // When
            kafka.proxy().reconfigure(PolicyConfigs.withPolicyOf(kafka.proxy().config(), PolicyConfigs.parse(RULES + """
                    - effect: deny
                      principal: bob
                      resourceType: topic
                      resourceName: reloaded
                      operations: [write]
                """)));

            // Then
            final Future<RecordMetadata> after = producer.send(new ProducerRecord<>("reloaded", "after"));
            assertThatThrownBy(() -> after.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(kafka.proxy().metrics().activeConnections(io.kafkaproxy.proxy.metrics.ProxyMetrics.Side.CLIENT))
                .isEqualTo(connectionsBefore);
        }
        finally
        {
            kafka.proxy().reconfigure(PolicyConfigs.withPolicyOf(kafka.proxy().config(), PolicyConfigs.parse(RULES)));
        }
        assertThat(consumeAll(SaslPlainUsers.BOB, "reloaded")).containsExactly("before");
    }

    private static void pollUntilError(final KafkaConsumer<String, String> consumer)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            consumer.poll(ProxiedKafka.pollTimeout());
        }
        throw new AssertionError("no error within 60 s");
    }

    private static List<RecordMetadata> send(final Map<String, Object> config, final String topic, final List<String> values)
        throws Exception
    {
        final List<RecordMetadata> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            final List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (final String value : values)
            {
                sends.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            for (final Future<RecordMetadata> send : sends)
            {
                acknowledged.add(send.get(60, TimeUnit.SECONDS));
            }
        }
        return acknowledged;
    }

    private static List<String> consumeAll(final String user, final String topic)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumer(user, null)))
        {
            final TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(60)).get(partition);
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(ProxiedKafka.pollTimeout()))
                {
                    values.add(record.value());
                }
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }

    private static Map<String, Object> producer(final String user)
    {
        final Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, user + "-producer");
        return loginAs(user, config);
    }

    private static Map<String, Object> consumer(final String user, final String groupId)
    {
        final Map<String, Object> config = kafka.consumerConfig(groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, user + "-consumer");
        return loginAs(user, config);
    }

    private static Map<String, Object> loginAs(final String user, final Map<String, Object> config)
    {
        return SaslPlainUsers.loginAs(new HashMap<>(config), user);
    }
}
