package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestCertificates.Issued;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import java.util.Map;

class ClusterSnapshotTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTakeTheLiveValuesOfAConfigurationAndCompileItsRules() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse("""
            upstream:
              bootstrapServers: [kafka-1:9092, kafka-2:9092]
              connectTimeout: 3s
            network:
              maxRequestSizeBytes: 1MiB
              maxResponseSizeBytes: 2MiB
              idleTimeout: 1m
            acl:
              defaultPolicy: deny
            circuitBreaker:
              enabled: false
            """, "test.yaml");

        // When
        final ClusterSnapshot snapshot = ClusterSnapshot.compile(config);

        // Then
        assertThat(snapshot.bootstrapServers()).containsExactly(new HostPort("kafka-1", 9092), new HostPort("kafka-2", 9092));
        assertThat(snapshot.connectTimeoutMillis()).isEqualTo(3_000);
        assertThat(snapshot.idleTimeoutMillis()).isEqualTo(60_000L);
        assertThat(snapshot.maxRequestSizeBytes()).isEqualTo(1 << 20);
        assertThat(snapshot.maxResponseSizeBytes()).isEqualTo(2 << 20);
        assertThat(snapshot.acl().isAllowAll()).isFalse();
        assertThat(snapshot.quotas().config()).isEqualTo(config.quotas());
        assertThat(snapshot.circuitBreaker()).isEqualTo(config.circuitBreaker());
        assertThat(snapshot.audit()).isEqualTo(config.audit());
        assertThat(snapshot.brokerTls()).isNull();
        assertThat(snapshot.brokerLogin()).isNull();
    }

    @Test
    void shouldReadTheBrokerTlsAndPasswordFilesAgainAtEveryCompile() throws Exception
    {
        // Given: the same configuration compiled before and after the files are replaced, as a reload does
        final Path passwordFile = Files.writeString(dir.resolve("broker.password"), "first\n");
        final Path authority = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), TestCertificates.authority("ca").certificate());
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9093]\n" +
            "  tls: {trustedCertificates: '" + authority + "'}\n" +
            "  sasl: {mechanism: SCRAM-SHA-512, username: kafka-proxy, passwordFile: '" + passwordFile + "'}\n", "t.yaml");
        final ClusterSnapshot before = ClusterSnapshot.compile(config);

        // When
        Files.writeString(passwordFile, "second\n");
        final ClusterSnapshot after = ClusterSnapshot.compile(config);

        // Then
        assertThat(before.brokerTls()).isNotNull().isNotSameAs(after.brokerTls());
        assertThat(before.brokerLogin()).isEqualTo(new BrokerLoginCredentials(BrokerSaslMechanism.SCRAM_SHA_512, "kafka-proxy", "first"));
        assertThat(after.brokerLogin().password()).isEqualTo("second");
        assertThat(after.brokerLogin().toString()).doesNotContain("second");
    }

    @Test
    void shouldListTheBrokerSideCertificatesAsLoadedAtEachCompileForTheirExpiryMetric() throws Exception
    {
        // Given: a CA file replaced between two compiles, as a rotation before a reload does
        final Issued first = TestCertificates.authority("first-ca");
        final Issued second = TestCertificates.authority("second-ca");
        final Path authority = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), first.certificate());
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9093]\n" +
            "  tls: {trustedCertificates: '" + authority + "'}\n", "t.yaml");
        final ClusterSnapshot before = ClusterSnapshot.compile(config);

        // When
        TestCertificates.writeTrustPem(authority, second.certificate());
        final ClusterSnapshot after = ClusterSnapshot.compile(config);

        // Then
        assertThat(before.brokerTls().certificates()).singleElement().isEqualTo(expiry(first));
        assertThat(after.brokerTls().certificates()).singleElement().isEqualTo(expiry(second));
    }

    private static CertificateExpiry expiry(final Issued issued)
    {
        return new CertificateExpiry(issued.certificate().getSubjectX500Principal().getName(),
            issued.certificate().getSerialNumber().toString(16), issued.certificate().getNotAfter().toInstant().getEpochSecond());
    }

    @Test
    void shouldRefuseToCompileWhenABrokerTlsOrPasswordFileDoesNotLoadNamingItsKeyAndFile() throws Exception
    {
        // Given
        final Path broken = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        final Path missing = dir.resolve("missing.password");
        final ProxyConfig brokenTls = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9093]\n" +
            "  tls: {trustedCertificates: '" + broken + "'}\n", "t.yaml");
        final ProxyConfig missingPassword = ConfigParser.parse("upstream:\n  bootstrapServers: [b:9093]\n" +
            "  sasl: {mechanism: PLAIN, username: kafka-proxy, passwordFile: '" + missing + "'}\n", "t.yaml");

        // When / Then
        assertThatThrownBy(() -> ClusterSnapshot.compile(brokenTls))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.trustedCertificates").hasMessageContaining(broken.toString());
        assertThatThrownBy(() -> ClusterSnapshot.compile(missingPassword))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.sasl.passwordFile: no such file").hasMessageContaining(missing.toString());
    }

    @Test
    void shouldHandReadersTheSnapshotLastPublished() throws ConfigException
    {
        // Given
        final ClusterSnapshot first = ClusterSnapshot.compile(ConfigParser.parse("upstream:\n  bootstrapServers: [a:9092]\n", "a.yaml"));
        final ClusterSnapshot second = ClusterSnapshot.compile(ConfigParser.parse("upstream:\n  bootstrapServers: [b:9092]\n", "b.yaml"));
        final ClusterSnapshotReference reference = new ClusterSnapshotReference(first);

        // When
        reference.publish(second);

        // Then
        assertThat(reference.current()).isSameAs(second);
        assertThatThrownBy(() -> reference.publish(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(reference.current()).isSameAs(second);
    }

    @Test
    void shouldReadTheSaslUsersFileAtEachCompile() throws Exception
    {
        // Given
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.yaml"), Map.of("alice", "pw-alice"));
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [a:9092]\nlistener:\n  sasl:\n" +
            "    mechanisms: [PLAIN]\n    plainUsersFile: " + users + "\n", "t.yaml");
        final ClusterSnapshot first = ClusterSnapshot.compile(config);
        SaslCredentialFixtures.writePlainUsers(users, Map.of("alice", "pw-alice", "bob", "pw-bob"));

        // When
        final ClusterSnapshot second = ClusterSnapshot.compile(config);

        // Then
        assertThat(first.sasl().plainUsers()).containsOnlyKeys("alice");
        assertThat(second.sasl().plainUsers()).containsOnlyKeys("alice", "bob");
        assertThat(ClusterSnapshot.compile(ConfigParser.parse("upstream:\n  bootstrapServers: [a:9092]\n", "p.yaml")).sasl()).isNull();
    }

    @Test
    void shouldRefuseToCompileWhenTheSaslUsersFileIsBroken() throws Exception
    {
        // Given
        final Path users = Files.writeString(dir.resolve("users.yaml"), "users: [alice]\n");
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [a:9092]\nlistener:\n  sasl:\n" +
            "    mechanisms: [PLAIN]\n    plainUsersFile: " + users + "\n", "t.yaml");

        // When / Then
        assertThatThrownBy(() -> ClusterSnapshot.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("listener.sasl.plainUsersFile: " + users + ": users: required, a map of user names");
    }
}
