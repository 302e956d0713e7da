package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.OAuthBearerConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslCredentialsTest
{
    @TempDir
    Path directory;

    private SaslTerminationConfig settings(final List<SaslMechanism> mechanisms)
    {
        return new SaslTerminationConfig(mechanisms, directory.resolve("plain.yaml"), directory.resolve("scram.yaml"),
            new OAuthBearerConfig(directory.resolve("jwks.json"), TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, "sub",
                Duration.ofSeconds(30)),
            Duration.ZERO, 10);
    }

    @Test
    void shouldReadEveryCredentialFileOfTheEnabledMechanisms() throws Exception
    {
        // Given
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), Map.of("alice", "alice-secret"));
        SaslCredentialFixtures.writeScramUsers(directory.resolve("scram.yaml"), Map.of("bob", "bob-secret"));
        new TestJwtIssuer().writeJwks(directory.resolve("jwks.json"));

        // When
        final SaslCredentials credentials = SaslCredentials.load(settings(List.of(SaslMechanism.values())));

        // Then
        assertThat(credentials.plainUsers().get("alice").matches("alice-secret".toCharArray())).isTrue();
        assertThat(credentials.plainUsers().get("alice").matches("wrong".toCharArray())).isFalse();
        final ScramCredential scram = credentials.scramUsers().get("bob").get(SaslMechanism.SCRAM_SHA_512);
        final ScramFormatter formatter = new ScramFormatter(ScramMechanism.SCRAM_SHA_512);
        final byte[] salted = formatter.saltedPassword("bob-secret", scram.salt(), scram.iterations());
        assertThat(scram.storedKey()).isEqualTo(formatter.storedKey(formatter.clientKey(salted)));
        assertThat(credentials.scramUsers().get("bob")).containsKey(SaslMechanism.SCRAM_SHA_256);
        assertThat(credentials.jwks().getKeys()).hasSize(1);
        assertThat(credentials.mechanismNames()).containsExactly("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER");
        assertThat(credentials.toString()).doesNotContain("alice").contains("redacted");
    }

    @Test
    void shouldReadOnlyTheFilesOfTheEnabledMechanisms()
    {
        // Given
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), Map.of("alice", "alice-secret"));

        // When
        final SaslCredentials credentials = SaslCredentials.load(settings(List.of(SaslMechanism.PLAIN)));

        // Then
        assertThat(credentials.plainUsers()).containsOnlyKeys("alice");
        assertThat(credentials.scramUsers()).isEmpty();
        assertThat(credentials.jwks()).isNull();
    }

    @Test
    void shouldNameTheFileAndItsPathWhenAFileIsMissing()
    {
        // When / Then
        assertThatThrownBy(() -> SaslCredentials.load(settings(List.of(SaslMechanism.SCRAM_SHA_512))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.sasl.scramCredentialsFile: " + directory.resolve("scram.yaml") + ": cannot read: ");
    }

    @Test
    void shouldNameTheEntryOfAMalformedPlainUser() throws Exception
    {
        // Given
        Files.writeString(directory.resolve("plain.yaml"),
            "users:\n  alice:\n    algorithm: PBKDF2WithHmacSHA512\n    iterations: 5000\n    salt: '%%%'\n    hash: AAAA\n");

        // When / Then
        assertThatThrownBy(() -> SaslCredentials.load(settings(List.of(SaslMechanism.PLAIN))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.sasl.plainUsersFile: " + directory.resolve("plain.yaml") + ": users.alice.salt: ");
    }

    @Test
    void shouldRefuseAClearTextPasswordInThePlainUsersFile() throws Exception
    {
        // Given
        Files.writeString(directory.resolve("plain.yaml"), "users:\n  alice:\n    password: alice-secret\n");

        // When / Then
        assertThatThrownBy(() -> SaslCredentials.load(settings(List.of(SaslMechanism.PLAIN))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("listener.sasl.plainUsersFile: " + directory.resolve("plain.yaml") + ": users.alice.algorithm: required");
    }

    @Test
    void shouldRefuseAJwksFileThatIsNotAKeySet() throws Exception
    {
        // Given
        Files.writeString(directory.resolve("jwks.json"), "{\"keys\": 3}");

        // When / Then
        assertThatThrownBy(() -> SaslCredentials.load(settings(List.of(SaslMechanism.OAUTHBEARER))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.sasl.oauthbearer.jwksFile: " + directory.resolve("jwks.json") + ": cannot read: ");
    }
}
