package io.kafkaproxy.proxy.failover;

import io.kafkaproxy.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterFailoverTest
{
    @Test
    void shouldSwitchToTheStandbyPublishingTheNewGenerationAfterTheSnapshotAndBeforeClosingClients() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // When
            final SwitchOutcome outcome = fixture.failover();

            // Then
            assertThat(outcome.switched()).isTrue();
            assertThat(fixture.steps).containsExactly("activate standby at generation 0", "switched standby at generation 1");
            assertThat(fixture.snapshot.get().bootstrapServers()).containsExactly(new HostPort("west", 9092));
            assertThat(outcome.status().active()).isEqualTo("standby");
            assertThat(outcome.status().generation()).isEqualTo(1);
            assertThat(outcome.status().lastSwitch()).isEqualTo(new SwitchRecord(1_000L, "primary", "standby", "manual", "test", 1));
            assertThat(fixture.failover.status()).isEqualTo(outcome.status());
            assertThat(fixture.registry.get("kafka.proxy.cluster.switches").tag("to", "standby").tag("trigger", "manual")
                .counter().count()).isEqualTo(1.0);
            assertThat(fixture.registry.get("kafka.proxy.cluster.active.upstream").gauge().value()).isEqualTo(1.0);
            assertThat(fixture.registry.get("kafka.proxy.cluster.generation").gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldTellSwitchListenersOfEachSwitchAfterItIsPublishedButNotOfARefusal() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            final List<String> told = new CopyOnWriteArrayList<>();
            fixture.failover.addSwitchListener((cluster, to, generation) ->
                told.add(cluster + " " + to.label() + " " + generation + " after " + fixture.steps.size() + " steps"));
            fixture.failover.addSwitchListener((cluster, to, generation) ->
            {
                throw new IllegalStateException("a listener that fails must not stop the next");
            });
            fixture.failover.addSwitchListener((cluster, to, generation) -> told.add("next " + to.label()));

            // When
            fixture.failover();
            fixture.failover();
            fixture.failback();

            // Then
            assertThat(told).containsExactly(
                fixture.failover.name() + " standby 1 after 2 steps", "next standby",
                fixture.failover.name() + " primary 2 after 4 steps", "next primary");
        }
    }

    @Test
    void shouldFailBackToThePrimaryAtTheNextGeneration() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // Given
            fixture.failover();

            // When
            final SwitchOutcome outcome = fixture.failback();

            // Then
            assertThat(outcome.switched()).isTrue();
            assertThat(fixture.failover.generation()).isEqualTo(2);
            assertThat(fixture.failover.active()).isEqualTo(ActiveUpstream.PRIMARY);
            assertThat(fixture.snapshot.get().bootstrapServers()).containsExactly(new HostPort("east", 9092));
        }
    }

    @Test
    void shouldRefuseASwitchToWhereTheClusterAlreadyIs() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(true))
        {
            // When
            final SwitchOutcome outcome = fixture.failback();

            // Then
            assertThat(outcome.refusal()).startsWith("already there");
            assertThat(fixture.steps).isEmpty();
            assertThat(fixture.failover.generation()).isZero();
        }
    }

    @Test
    void shouldRefuseAFailoverWithoutAStandby() throws Exception
    {
        try (FailoverFixture fixture = new FailoverFixture(false))
        {
            // When
            final SwitchOutcome outcome = fixture.failover();

            // Then
            assertThat(outcome.refusal()).startsWith("no standby");
            assertThat(fixture.steps).isEmpty();
            assertThat(outcome.status().upstreams()).hasSize(1);
            assertThat(outcome.status().upstreams().get(0).bootstrapServers()).isEqualTo(List.of("east:9092"));
        }
    }
}
