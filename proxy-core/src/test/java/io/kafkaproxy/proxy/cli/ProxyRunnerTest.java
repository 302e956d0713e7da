package io.kafkaproxy.proxy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyRunnerTest
{
    private final LogCapture log = new LogCapture(ProxyRunner.class);

    @AfterEach
    void tearDown()
    {
        log.close();
    }

    @Test
    void shouldExitWithOneErrorLineNamingTheAddressWhenTheListenerCannotBind() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            // Given: another process holds the listener's port
            final HostPort listen = new HostPort("127.0.0.1", taken.getLocalPort());
            final ProxyConfig config = ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("127.0.0.1", 1)), null))
                .listener(ListenerConfig.of(listen, "127.0.0.1", null))
                .admin(AdminConfig.of(false, null))
                .build();
            final ProxyConfig quiet = config.toBuilder().logging(config.logging().withLevel("WARN")).build();

            // When
            final int exitCode = new ProxyRunner(new SignalRelay(), new SystemdNotifier(null))
                .run(quiet, null, UnaryOperator.identity(), null);

            // Then
            assertThat(exitCode).isEqualTo(ExitCodes.RUNTIME_FAILURE);
            final List<ILoggingEvent> errors = log.events(Level.ERROR);
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).getFormattedMessage())
                .contains("bootstrap listener")
                .contains("127.0.0.1:" + taken.getLocalPort());
            assertThat(errors.get(0).getThrowableProxy()).as("no stack trace unless DEBUG").isNull();
        }
    }
}
