package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamClientPropertiesTest
{
    @Test
    void shouldGiveTheStandbysOwnServersTlsAndLoginNotThePrimarys()
    {
        // Given
        final StandbyUpstreamConfig standby = StandbyUpstreamConfig.of(List.of(new HostPort("west-1", 9093), new HostPort("west-2", 9093)),
            null, BrokerTlsConfig.defaults(), BrokerSaslConfig.of("SCRAM-SHA-512", "gw", "west-secret", null));
        final BrokerClusterConfig upstream = new BrokerClusterConfig(List.of(new HostPort("east-1", 9092)), Duration.ofSeconds(10), null, null,
            standby, null);

        // When
        final Map<String, Object> primary = UpstreamClientProperties.of(upstream, "kafka-proxy-gateway");
        final Map<String, Object> west = UpstreamClientProperties.of(upstream.standby(), "kafka-proxy-gateway");

        // Then
        assertThat(primary).containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "east-1:9092")
            .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
            .doesNotContainKey(SaslConfigs.SASL_JAAS_CONFIG);
        assertThat(west).containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "west-1:9093,west-2:9093")
            .containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "kafka-proxy-gateway")
            .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
            .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
            .containsKey(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG);
        assertThat((String)west.get(SaslConfigs.SASL_JAAS_CONFIG)).contains("ScramLoginModule", "username=\"gw\"", "password=\"west-secret\"");
    }
}
