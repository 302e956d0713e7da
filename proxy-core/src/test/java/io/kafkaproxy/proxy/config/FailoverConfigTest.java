package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailoverConfigTest
{
    private static final String PRIMARY = "upstream:\n  bootstrapServers: [east:9092]\n";

    @Test
    void shouldReadAStandbyAndItsFailoverSection() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(PRIMARY +
            "  standby:\n    bootstrapServers: [west:9092]\n    connectTimeout: 4s\n" +
            "  failover:\n    probeInterval: 2s\n    probeTimeout: 1s\n    failureThreshold: 5\n    failback: automatic\n" +
            "    holdDown: 1m\n", "t.yaml");

        // Then
        assertThat(config.upstream().standby().bootstrapServers()).containsExactly(new HostPort("west", 9092));
        assertThat(config.upstream().standby().connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.upstream().failover()).isEqualTo(new FailoverConfig(Duration.ofSeconds(2), Duration.ofSeconds(1), 5,
            FailoverConfig.Failback.AUTOMATIC, Duration.ofMinutes(1)));
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "effective.yaml")).isEqualTo(config);
    }

    @Test
    void shouldFillInTheFailoverDefaultsForAStandbyAlone() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(PRIMARY + "  standby:\n    bootstrapServers: [west:9092]\n", "t.yaml");

        // Then
        assertThat(config.upstream().failover()).isEqualTo(FailoverConfig.defaults());
        assertThat(config.upstream().failover().failureThreshold()).isEqualTo(3);
        assertThat(config.upstream().failover().failback()).isEqualTo(FailoverConfig.Failback.MANUAL);
        assertThat(config.upstream().standby().connectTimeout()).isEqualTo(BrokerClusterConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "effective.yaml")).isEqualTo(config);
    }

    @Test
    void shouldHaveNeitherStandbyNorFailoverByDefault() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(PRIMARY, "t.yaml");

        // Then
        assertThat(config.upstream().standby()).isNull();
        assertThat(config.upstream().failover()).isNull();
    }

    @Test
    void shouldRefuseFailoverWithoutAStandby()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(PRIMARY + "  failover:\n    probeInterval: 2s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.failover: requires upstream.standby");
    }

    @Test
    void shouldRefuseAStandbyWithoutBootstrapServersNamingItsPath()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(PRIMARY + "  standby:\n    connectTimeout: 2s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.standby.bootstrapServers: at least one host:port is required");
    }

    @Test
    void shouldNameTheStandbysOwnPathForABadTlsOrSaslValue()
    {
        // Given: the standby's tls and sasl are the primary's records, placed by the parser under upstream.standby
        final String standby = PRIMARY + "  standby:\n    bootstrapServers: [west:9092]\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    tls: {certificate: /c.pem}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.standby.tls.privateKey: required with upstream.standby.tls.certificate");
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    sasl: {username: u, password: p}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.standby.sasl.mechanism: required");
        assertThatThrownBy(() -> ConfigParser.parse(PRIMARY + "  tls: {certificate: /c.pem}\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.tls.privateKey: required with upstream.tls.certificate");
    }

    @Test
    void shouldNameTheStandbysPathInAClustersEntryForABadTlsOrSaslValue()
    {
        // Given: the second cluster's standby, its tls and sasl sections read as the primary's are
        final String clusters = """
            clusters:
              - name: east
                upstream: {bootstrapServers: [east:9092]}
                listener: {bindAddress: 127.0.0.1:9092, nodePorts: {first: 9093, count: 10}}
              - name: west
                upstream:
                  bootstrapServers: [west:9092]
                  standby:
                    bootstrapServers: [north:9092]
            """;
        final String badTrustStore = clusters + "        tls:\n          trustStore: {path: t.p12, type: PKCS12, keyPassword: k}\n";
        final String badSasl = clusters + "        sasl: {mechanism: PLAIN, username: u}\n";

        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(badTrustStore, "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:11: clusters[1].upstream.standby.tls.trustStore.keyPassword: a trust store holds no keys; only a key " +
                "store has a key password");
        assertThatThrownBy(() -> ConfigParser.parse(badSasl, "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("t.yaml:10: clusters[1].upstream.standby.sasl: exactly one of password and passwordFile is required");
        assertThat(ConfigParser.check(badSasl, "t.yaml"))
            .containsExactly("t.yaml:10: clusters[1].upstream.standby.sasl: exactly one of password and passwordFile is required");
    }

    @Test
    void shouldNameTheStandbysPathWhenCheckingTheFile()
    {
        // Given
        final String standby = PRIMARY + "  standby:\n    bootstrapServers: [west:9092]\n    tls: {keyStore: {path: k.p12, type: PKCS12}}\n";

        // When
        final java.util.List<String> errors = ConfigParser.check(standby, "t.yaml");

        // Then
        assertThat(errors).containsExactly("t.yaml:5: upstream.standby.tls.keyStore.password: required");
    }

    @Test
    void shouldRefuseANestedStandby()
    {
        // When / Then
        assertThatThrownBy(() -> ConfigParser.parse(PRIMARY +
            "  standby:\n    bootstrapServers: [west:9092]\n    standby:\n      bootstrapServers: [x:9092]\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.standby.standby: unknown key");
    }

    @Test
    void shouldRefuseBadFailoverValuesNamingTheirPaths()
    {
        // When / Then
        final String standby = PRIMARY + "  standby:\n    bootstrapServers: [west:9092]\n  failover:\n";
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    failback: sometimes\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.failover.failback");
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    failureThreshold: -1\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.failover.failureThreshold: must be 0 (manual only) or more: -1");
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    probeInterval: 0s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.failover.probeInterval: must be positive");
        assertThatThrownBy(() -> ConfigParser.parse(standby + "    holdDown: -1s\n", "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("upstream.failover.holdDown");
    }
}
