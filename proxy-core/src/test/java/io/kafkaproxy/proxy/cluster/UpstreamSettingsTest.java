package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNameEachUpstreamsOwnPathWhenItsPasswordFileDoesNotLoad()
    {
        // Given
        final BrokerSaslConfig login = BrokerSaslConfig.of("PLAIN", "proxy", null, dir.resolve("missing.txt").toString());
        final List<HostPort> servers = List.of(new HostPort("b", 9092));

        // When / Then
        assertThatThrownBy(() -> UpstreamSettings.standby(StandbyUpstreamConfig.of(servers, null, null, login)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("upstream.standby.sasl.passwordFile: no such file");
        assertThatThrownBy(() -> UpstreamSettings.primary(BrokerClusterConfig.of(servers, null).withSasl(login)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("upstream.sasl.passwordFile: no such file");
    }
}
