package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.sasl.SaslCredentialFiles;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HashPasswordCommandTest
{
    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String password, final String... args)
    {
        final HashPasswordCommand command = new HashPasswordCommand();
        command.in = new ByteArrayInputStream(password.getBytes(StandardCharsets.UTF_8));
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldPrintAPlainUsersEntryThatMatchesThePasswordAndHoldsNoClearText() throws Exception
    {
        // When
        final int exitCode = run("s3cret-pw\n", "--user", "alice", "--mechanism", "PLAIN", "--iterations", "1000");

        // Then
        assertThat(exitCode).isZero();
        assertThat(out.toString()).doesNotContain("s3cret-pw").contains("algorithm: PBKDF2WithHmacSHA512");
        final Path file = Files.writeString(directory.resolve("plain.yaml"), "users:\n" + out);
        assertThat(SaslCredentialFiles.readPlainUsers(file, "p").get("alice").matches("s3cret-pw".toCharArray())).isTrue();
    }

    @Test
    void shouldPrintAScramEntryAsKafkaStoresIt() throws Exception
    {
        // When
        final int exitCode = run("s3cret-pw\n", "--user", "bob", "--mechanism", "SCRAM-SHA-512");

        // Then
        assertThat(exitCode).isZero();
        final Path file = Files.writeString(directory.resolve("scram.yaml"), "users:\n" + out);
        final ScramCredential credential = SaslCredentialFiles.readScramCredentials(file, "s").get("bob").get(SaslMechanism.SCRAM_SHA_512);
        final ScramFormatter formatter = new ScramFormatter(ScramMechanism.SCRAM_SHA_512);
        assertThat(credential.iterations()).isEqualTo(4096);
        assertThat(credential.serverKey())
            .isEqualTo(formatter.serverKey(formatter.saltedPassword("s3cret-pw", credential.salt(), credential.iterations())));
    }

    @Test
    void shouldRefuseAnUnknownMechanismAndAnEmptyPassword()
    {
        // When
        final int unknown = run("pw\n", "--user", "alice", "--mechanism", "OAUTHBEARER");
        final int empty = run("", "--user", "alice", "--mechanism", "PLAIN");

        // Then
        assertThat(unknown).isEqualTo(ExitCodes.USAGE);
        assertThat(empty).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--mechanism: must be PLAIN").contains("no password on stdin");
        assertThat(out.toString()).isEmpty();
    }
}
