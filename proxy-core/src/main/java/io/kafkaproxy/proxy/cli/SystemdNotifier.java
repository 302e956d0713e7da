package io.kafkaproxy.proxy.cli;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Tells systemd how the service is doing, as sd_notify(3) does: {@code READY=1} once the proxy serves,
 * {@code STOPPING=1} when it starts to stop. Does nothing unless systemd started the process with
 * {@code NOTIFY_SOCKET} set ({@code Type=notify}).
 *
 * <p>With {@code Type=notify} systemd holds a {@code systemctl reload} until {@code READY=1}, so no SIGHUP reaches
 * the JVM before its handlers are installed (they are, long before the proxy serves).
 *
 * <p>The notification socket is a unix datagram socket, which Java 17's NIO cannot address; Netty's native
 * transport can, through its {@link Socket}. A leading {@code @} names a socket in Linux's abstract namespace, as
 * sd_notify(3) has it. Called from one thread at a time.
 */
final class SystemdNotifier
{
    private static final Logger LOGGER = LoggerFactory.getLogger(SystemdNotifier.class);

    private final String socketPath;

    SystemdNotifier(final String socketPath)
    {
        this.socketPath = socketPath == null || socketPath.isEmpty() ? null : socketPath;
    }

    /**
     * The notifier of this process: {@code $NOTIFY_SOCKET}, if set.
     *
     * @return the notifier.
     */
    static SystemdNotifier fromEnvironment()
    {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"));
    }

    /**
     * Sends one state change; failures are logged and otherwise ignored, since the proxy serves either way.
     *
     * @param state newline-separated assignments, such as {@code READY=1}.
     */
    void notify(final String state)
    {
        if (socketPath == null)
        {
            return;
        }
        if (!Epoll.isAvailable())
        {
            LOGGER.atWarn().addKeyValue("notifySocket", socketPath).addKeyValue("state", state)
                .addKeyValue("error", String.valueOf(Epoll.unavailabilityCause()))
                .log("cannot notify systemd without Netty's native transport; use Type=exec in the unit");
            return;
        }
        final byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer datagram = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        final Socket socket = Socket.newSocketDomainDgram();
        try
        {
            socket.sendToDomainSocket(datagram, 0, bytes.length, address());
            LOGGER.atDebug().addKeyValue("state", state).log("systemd notified");
        }
        catch (final IOException e)
        {
            LOGGER.atWarn().addKeyValue("notifySocket", socketPath).addKeyValue("state", state)
                .addKeyValue("error", e.getMessage()).log("cannot notify systemd");
        }
        finally
        {
            closeQuietly(socket);
        }
    }

    private byte[] address()
    {
        final byte[] address = socketPath.getBytes(StandardCharsets.UTF_8);
        if (address[0] == '@')
        {
            // The abstract namespace: a name that starts with a NUL byte, its length exact (no terminator).
            address[0] = 0;
        }
        return address;
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException e)
        {
            LOGGER.atDebug().addKeyValue("error", e.getMessage()).log("closing the notification socket failed");
        }
    }
}
