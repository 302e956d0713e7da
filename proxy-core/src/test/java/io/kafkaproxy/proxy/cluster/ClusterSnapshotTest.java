package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSnapshotTest
{
    @TempDir
    Path directory;

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
        final Path users = SaslCredentialFixtures.writePlainUsers(directory.resolve("users.yaml"), Map.of("alice", "pw-alice"));
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
        final Path users = Files.writeString(directory.resolve("users.yaml"), "users: [alice]\n");
        final ProxyConfig config = ConfigParser.parse("upstream:\n  bootstrapServers: [a:9092]\nlistener:\n  sasl:\n" +
            "    mechanisms: [PLAIN]\n    plainUsersFile: " + users + "\n", "t.yaml");

        // When / Then
        assertThatThrownBy(() -> ClusterSnapshot.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("listener.sasl.plainUsersFile: " + users + ": users: required, a map of user names");
    }
}
