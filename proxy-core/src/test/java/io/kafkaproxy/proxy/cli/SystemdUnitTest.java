package io.kafkaproxy.proxy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SystemdUnitTest
{
    private static final Path UNIT = Path.of("..", "systemd", "kafka-proxy.service");

    @TempDir
    Path installRoot;

    @Test
    void unitShouldRunTheLauncherSandboxedWithReloadAndEnoughFileDescriptors() throws Exception
    {
        // When
        final String unit = Files.readString(UNIT);

        // Then
        assertThat(unit)
            .contains("ExecStart=/opt/kafka-proxy/bin/kafka-proxy run --config ")
            .contains("ExecReload=/bin/kill -HUP $MAINPID")
            .contains("User=kafka-proxy")
            .contains("Restart=on-failure")
            .contains("NoNewPrivileges=true")
            .contains("ProtectSystem=strict")
            .contains("ProtectHome=true")
            .contains("PrivateTmp=true");
        final long fileDescriptors = Long.parseLong(unit.lines().filter(line -> line.startsWith("LimitNOFILE="))
            .findFirst().orElseThrow().substring("LimitNOFILE=".length()));
        assertThat(fileDescriptors).isGreaterThanOrEqualTo(500_000);
    }

    @Test
    void systemdAnalyzeShouldFindNothingWrong() throws Exception
    {
        // Given: the unit as installed under another prefix (verify checks that ExecStart exists and is executable)
        final Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze not installed (.ci/run installs systemd)");
        final Path launcher = Files.createDirectories(installRoot.resolve("bin")).resolve("kafka-proxy");
        Files.writeString(launcher, "#!/bin/sh\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path unit = installRoot.resolve("kafka-proxy.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/kafka-proxy", installRoot.toString()));

        // When
        final Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        final String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        // Then: a clean verify; systemd-analyze only warns (exit 0) about unknown keys, so its output must be empty too
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).isBlank();
    }
}
