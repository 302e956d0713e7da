package io.kafkaproxy.proxy.cli;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SystemdNotifierTest
{
    @TempDir
    Path directory;

    private Socket notifySocket;

    @BeforeEach
    void openSocket()
    {
        Epoll.ensureAvailability();
        notifySocket = Socket.newSocketDomainDgram();
    }

    @AfterEach
    void closeSocket() throws IOException
    {
        notifySocket.close();
    }

    @Test
    void shouldSendTheStateToTheSocketPath() throws Exception
    {
        // Given
        final String path = directory.resolve("notify.sock").toString();
        notifySocket.bind(new DomainSocketAddress(path));

        // When
        new SystemdNotifier(path).notify("READY=1");

        // Then
        assertThat(await().atMost(Duration.ofSeconds(10)).until(this::receive, Objects::nonNull)).isEqualTo("READY=1");
    }

    @Test
    void shouldSendTheStateToAnAbstractSocketName() throws Exception
    {
        // Given
        final String name = "kafka-proxy-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        notifySocket.bind(new DomainSocketAddress("\0" + name));

        // When
        new SystemdNotifier("@" + name).notify("STOPPING=1");

        // Then
        assertThat(await().atMost(Duration.ofSeconds(10)).until(this::receive, Objects::nonNull)).isEqualTo("STOPPING=1");
    }

    private String receive() throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        final DomainDatagramSocketAddress sender = notifySocket.recvFromDomainSocket(buffer, 0, buffer.capacity());
        if (sender == null)
        {
            return null;
        }
        final byte[] bytes = new byte[sender.receivedAmount()];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
