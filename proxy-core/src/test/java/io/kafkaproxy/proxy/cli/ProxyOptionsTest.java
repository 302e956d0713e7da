package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyOptionsTest
{
    private static final int MIB = 1 << 20;

    @TempDir
    Path directory;

    @Test
    void shouldRunASmallPoolFromFlagsAlone() throws Exception
    {
        // Given: a pool below 200MiB, which the default limits do not fit
        final ProxyOptions options = parse("--bootstrap", "kafka:9092", "--pool-size", "64MiB",
            "--max-request-size", "16MiB", "--max-response-size", "32MiB");

        // When
        final ProxyConfig config = options.toConfig(null);

        // Then
        assertThat(config.memory().poolSizeBytes()).isEqualTo(64L * MIB);
        assertThat(config.network().maxRequestSizeBytes()).isEqualTo(16 * MIB);
        assertThat(config.network().maxResponseSizeBytes()).isEqualTo(32 * MIB);
    }

    @Test
    void shouldTakeTheTransportFromItsFlagAndNameTheFlagWhenItIsUnknown() throws Exception
    {
        // Given
        final ProxyOptions ioUring = parse("--bootstrap", "kafka:9092", "--transport", "io_uring");
        final ProxyOptions unknown = parse("--bootstrap", "kafka:9092", "--transport", "kqueue");

        // When
        final ProxyConfig config = ioUring.toConfig(null);

        // Then
        assertThat(config.network().transport()).isEqualTo(NetworkConfig.TransportKind.IO_URING);
        assertThatThrownBy(() -> unknown.toConfig(null)).isInstanceOf(ConfigException.class)
            .hasMessage("invalid option: --transport: must be auto, epoll, io_uring or nio: kqueue");
    }

    @Test
    void shouldReadTheLimitsWithUnitsLikeTheFile() throws Exception
    {
        // Given
        final ProxyOptions options = parse("--bootstrap", "kafka:9092", "--max-request-size", "1048576", "--max-response-size", "512KiB");

        // When
        final ProxyConfig config = options.toConfig(null);

        // Then
        assertThat(config.network().maxRequestSizeBytes()).isEqualTo(MIB);
        assertThat(config.network().maxResponseSizeBytes()).isEqualTo(512 * 1024);
    }

    @Test
    void shouldNameTheFlagWhoseValueIsNotASize()
    {
        // Given
        final ProxyOptions options = parse("--bootstrap", "kafka:9092", "--max-response-size", "plenty");

        // When / Then
        assertThatThrownBy(() -> options.toConfig(null)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("invalid option: --max-response-size: ");
    }

    @Test
    void shouldNameTheFlagsWhenTheLimitsDoNotFitThePool()
    {
        // Given
        final ProxyOptions onlyPool = parse("--bootstrap", "kafka:9092", "--pool-size", "64MiB");
        final ProxyOptions requestTooLarge = parse("--bootstrap", "kafka:9092", "--pool-size", "64MiB",
            "--max-request-size", "48MiB", "--max-response-size", "16MiB");
        final ProxyOptions tooSmall = parse("--bootstrap", "kafka:9092", "--max-request-size", "32");

        // When / Then
        assertThatThrownBy(() -> onlyPool.toConfig(null)).isInstanceOf(ConfigException.class)
            .hasMessage("invalid option: network.maxRequestSizeBytes: 100MiB is more than half of --pool-size 64MiB");
        assertThatThrownBy(() -> requestTooLarge.toConfig(null)).isInstanceOf(ConfigException.class)
            .hasMessage("invalid option: --max-request-size: 48MiB is more than half of --pool-size 64MiB");
        assertThatThrownBy(() -> tooSmall.toConfig(null)).isInstanceOf(ConfigException.class)
            .hasMessage("invalid option: --max-request-size: too small to hold a request: 32");
    }

    @Test
    void shouldApplyTheLimitsOverTheFileAtStartAndAtEachReload() throws Exception
    {
        // Given
        final Path file = directory.resolve("proxy.yaml");
        Files.writeString(file, "upstream:\n  bootstrapServers: [kafka:9092]\nnetwork:\n  maxRequestSizeBytes: 50MiB\n");
        final ProxyOptions options = parse("--config", file.toString(), "--max-request-size", "8MiB", "--max-response-size", "16MiB");
        final ProxyConfig atStart = options.toConfig(null);

        // When: the file changes the limit, and is reloaded
        Files.writeString(file, "upstream:\n  bootstrapServers: [kafka:9092]\nnetwork:\n  maxRequestSizeBytes: 60MiB\n");
        final ProxyConfig reloaded = options.applyFlags(ConfigParser.parse(file));

        // Then: the flags win both times
        assertThat(atStart.network().maxRequestSizeBytes()).isEqualTo(8 * MIB);
        assertThat(atStart.network().maxResponseSizeBytes()).isEqualTo(16 * MIB);
        assertThat(reloaded.network().maxRequestSizeBytes()).isEqualTo(8 * MIB);
        assertThat(reloaded.network().maxResponseSizeBytes()).isEqualTo(16 * MIB);
    }

    @Test
    void shouldListTheLimitFlagsInTheHelp()
    {
        // When
        final String usage = KafkaProxyCommand.commandLine().getUsageMessage();

        // Then
        assertThat(usage).contains("--max-request-size=SIZE").contains("--max-response-size=SIZE");
    }

    private static ProxyOptions parse(final String... args)
    {
        final ProxyOptions options = new ProxyOptions();
        new CommandLine(options).registerConverter(HostPort.class, HostPort::parse).parseArgs(args);
        return options;
    }

    @Test
    void shouldTurnTheTlsFlagsIntoTheListenerTlsSection() throws Exception
    {
        // Given
        final ProxyOptions options = parse("--bootstrap", "kafka:9092", "--tls-cert", "s.crt", "--tls-key", "s.key",
            "--tls-client-ca", "ca.pem");

        // When
        final ProxyConfig config = options.toConfig(null);

        // Then
        final TlsServerConfig tls = config.listener().tls();
        assertThat(tls.certificate()).isEqualTo(Path.of("s.crt"));
        assertThat(tls.privateKey()).isEqualTo(Path.of("s.key"));
        assertThat(tls.trustedCertificates()).isEqualTo(Path.of("ca.pem"));
        assertThat(tls.clientAuth()).isEqualTo(TlsServerConfig.ClientAuth.REQUIRED);
        assertThat(parse("--bootstrap", "kafka:9092").toConfig(null).listener().tls()).isNull();
    }

    @Test
    void shouldRefuseATlsCertificateWithoutItsKey()
    {
        // Given
        final ProxyOptions options = parse("--bootstrap", "kafka:9092", "--tls-cert", "s.crt");

        // When / Then
        assertThatThrownBy(() -> options.toConfig(null))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("--tls-cert and --tls-key go together");
    }
}
