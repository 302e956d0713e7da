package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckConfigCommandTest
{
    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = KafkaProxyCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldListEveryErrorWithItsPathAndLineAndExitNonZero() throws Exception
    {
        // Given
        final Path file = Files.writeString(directory.resolve("broken.yaml"),
            "upstream:\n  bootstrapServers: [b]\nnetwork:\n  ioThreads: 0x\n  idleTimeout: never\nadmin:\n  port: 1\n");

        // When
        final int exitCode = run("check-config", file.toString());

        // Then
        assertThat(exitCode).isEqualTo(2);
        final java.util.List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(file + ":2: upstream.bootstrapServers[0]: expected host:port, got 'b'");
        assertThat(lines.get(1)).startsWith(file + ":4: network.ioThreads: ");
        assertThat(lines.get(2)).startsWith(file + ":5: network.idleTimeout: ");
        assertThat(lines.get(3)).startsWith(file + ":7: admin.port: unknown key");
        assertThat(lines.get(4)).isEqualTo("4 errors");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldPrintTheEffectiveConfigurationOfAValidFile() throws Exception
    {
        // Given
        final Path file = Files.writeString(directory.resolve("valid.yaml"), "upstream:\n  bootstrapServers: [kafka:9092]\n");

        // When
        final int exitCode = run("check-config", file.toString());

        // Then
        assertThat(exitCode).isZero();
        assertThat(out.toString()).contains("maxRequestSizeBytes: 100MiB").contains("drainTimeout: 30s");
        assertThat(ConfigParser.parse(out.toString(), "printed.yaml")).isEqualTo(ConfigParser.parse(file));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldReportAFileTheConfigurationNamesThatDoesNotLoadWithItsPathLineAndFile() throws Exception
    {
        // Given: a valid file whose broker trust file is no certificate
        final Path authority = Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        final Path file = Files.writeString(directory.resolve("tls.yaml"),
            "upstream:\n  bootstrapServers: [kafka:9093]\n  tls:\n    trustedCertificates: '" + authority + "'\n");

        // When
        final int exitCode = run("check-config", file.toString());

        // Then
        assertThat(exitCode).isEqualTo(2);
        final java.util.List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(file + ":4: upstream.tls.trustedCertificates: ").contains("file=" + authority);
        assertThat(lines.get(1)).isEqualTo("1 error");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldReportARoutingListenersCredentialFileThatDoesNotLoad() throws Exception
    {
        // Given: the clusters' users file exists, the routing listener's does not
        final Path users = SaslCredentialFixtures.writePlainUsers(directory.resolve("users.yaml"), Map.of("alice", "alice-secret"));
        final Path missing = directory.resolve("missing.yaml");
        final String sasl = "sasl: {mechanisms: [PLAIN], plainUsersFile: '%s'}";
        final Path file = Files.writeString(directory.resolve("routing.yaml"), "clusters:\n" +
            "  - name: east\n    upstream: {bootstrapServers: [east:9092]}\n" +
            "    listener: {bindAddress: 127.0.0.1:9092, nodePorts: {first: 9093, count: 10}, " + sasl.formatted(users) + "}\n" +
            "routing:\n  listener: {bindAddress: 127.0.0.1:9500, " + sasl.formatted(missing) + "}\n  defaultCluster: east\n");

        // When
        final int exitCode = run("check-config", file.toString());

        // Then
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("routing.listener.sasl.plainUsersFile").contains(missing.toString());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldReportAListenerKeyThatDoesNotMatchItsCertificate() throws Exception
    {
        // Given
        final TestCertificates.Issued authority = TestCertificates.authority("ca");
        final Path certificate = TestCertificates.server(authority, "CN=localhost", "localhost").writeCertificatePem(directory.resolve("server.crt"));
        final Path key = TestCertificates.server(authority, "CN=localhost", "localhost").writeKeyPem(directory.resolve("other.key"));
        final Path file = Files.writeString(directory.resolve("listener.yaml"), "listener:\n  bindAddress: 127.0.0.1:9092\n" +
            "  tls:\n    certificate: '" + certificate + "'\n    privateKey: '" + key + "'\nupstream:\n  bootstrapServers: [kafka:9092]\n");

        // When
        final int exitCode = run("check-config", file.toString());

        // Then
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).startsWith(file + ":4: listener.tls.certificate: the private key does not match the certificate: file=" +
            certificate);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldSayWhenTheFileIsMissing()
    {
        // When
        final int exitCode = run("check-config", directory.resolve("absent.yaml").toString());

        // Then
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yaml: no such file");
    }
}
