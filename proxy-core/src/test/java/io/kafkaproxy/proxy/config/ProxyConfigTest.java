package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigTest
{
    private static final BrokerClusterConfig UPSTREAM = BrokerClusterConfig.of(List.of(new HostPort("kafka-1", 9092)), null);

    @Test
    void shouldFillInEverySectionLeftUnset()
    {
        // When
        final ProxyConfig config = ProxyConfig.builder(UPSTREAM).build();

        // Then
        assertThat(config.upstream()).isEqualTo(UPSTREAM);
        assertThat(config.listener()).isEqualTo(ListenerConfig.of(null, null, null));
        assertThat(config.network()).isEqualTo(NetworkConfig.defaults());
        assertThat(config.memory()).isEqualTo(MemoryConfig.defaults());
        assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
        assertThat(config.acl()).isEqualTo(AclConfig.defaults());
        assertThat(config.circuitBreaker()).isEqualTo(CircuitBreakerConfig.defaults());
    }

    @Test
    void shouldChangeOnlyTheSectionsSetOnACopy()
    {
        // Given
        final ProxyConfig running = ProxyConfig.builder(UPSTREAM).network(NetworkConfig.of(2, null, null, null)).build();

        // When
        final ProxyConfig changed = running.toBuilder().memory(MemoryConfig.of("1GiB", null, null, null)).build();

        // Then
        assertThat(changed.memory().poolSizeBytes()).isEqualTo(1L << 30);
        assertThat(changed).isEqualTo(new ProxyConfig(running.listener(), running.listeners(), running.upstream(), running.network(),
            changed.memory(), running.admin(), running.logging(), running.shutdown(), running.acl(), running.audit(),
            running.quotas(), running.circuitBreaker(), running.http(), running.mqtt(), running.gateway()));
    }

    @Test
    void shouldRefuseAConfigurationWithoutUpstream()
    {
        // When / Then
        assertThatThrownBy(() -> ProxyConfig.builder(null).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("upstream.bootstrapServers");
    }

    @Test
    void shouldValidateTheSectionsTogether()
    {
        // When / Then: a frame limit of more than half the pool
        assertThatThrownBy(() -> ProxyConfig.builder(UPSTREAM)
            .network(NetworkConfig.of(1, "64MiB", "16MiB", null))
            .memory(MemoryConfig.of("64MiB", null, null, null))
            .build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("network.maxRequestSizeBytes");
    }
}
