package io.kafkaproxy.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP link between the proxy and a real broker that behaves like a poor network: requests reach the broker at a
 * limited rate, and the link can be told to cut a connection in the middle of the next response.
 *
 * <p>The broker advertises the link's port, so every connection the proxy makes to it, bootstrap and node alike,
 * goes through. Blocking sockets, two pump threads per connection.
 */
public final class SlowBrokerLink implements AutoCloseable
{
    private static final int BUFFER_BYTES = 16 * 1024;
    private static final int LINK_WINDOW_BYTES = 64 * 1024;

    private final ServerSocket serverSocket;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong requestBytesPerSecond = new AtomicLong(Long.MAX_VALUE);
    /** When the shared link is next free to carry request bytes: every connection's reads queue behind it. */
    private final AtomicLong requestLinkFreeAtNanos = new AtomicLong(System.nanoTime());
    private final AtomicBoolean cutNextLargeResponse = new AtomicBoolean();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile int brokerPort;
    private volatile boolean open = true;
    private volatile boolean frozen;

    private SlowBrokerLink(final ServerSocket serverSocket)
    {
        this.serverSocket = serverSocket;
    }

    /**
     * Opens the link's listening port; connections wait for {@link #connectTo} before going anywhere.
     *
     * @return the link.
     * @throws IOException if no port can be bound.
     */
    public static SlowBrokerLink open() throws IOException
    {
        final ServerSocket serverSocket = new ServerSocket();
        // A small window, set before binding so that accepted sockets advertise it: without it the kernel's
        // autotuned buffers on loopback (megabytes per connection) would absorb what the link is meant to hold back.
        serverSocket.setReceiveBufferSize(LINK_WINDOW_BYTES);
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        final SlowBrokerLink link = new SlowBrokerLink(serverSocket);
        final Thread acceptor = new Thread(link::acceptLoop, "slow-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return link;
    }

    /**
     * The port the broker should advertise.
     *
     * @return the link's port.
     */
    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /**
     * Where connections go.
     *
     * @param port the broker's real port, on loopback.
     */
    public void connectTo(final int port)
    {
        brokerPort = port;
    }

    /**
     * Limits the rate at which requests reach the broker, shared by all connections.
     *
     * @param bytesPerSecond the rate.
     */
    public void limitRequests(final long bytesPerSecond)
    {
        requestBytesPerSecond.set(bytesPerSecond);
    }

    /**
     * Freezes the broker as a stopped process would look from the network: bytes already read by the link wait, no
     * more go either way, and the sockets fill up; connections stay open.
     */
    public void freeze()
    {
        frozen = true;
    }

    /**
     * Lets bytes flow again after {@link #freeze()}, in order, nothing lost.
     */
    public void thaw()
    {
        frozen = false;
    }

    /**
     * Cuts the connection carrying the next large response (one arriving in reads of at least half the link's
     * buffer) after half of such a read went through: the broker side goes away in the middle of a frame.
     */
    public void cutNextLargeResponse()
    {
        cutNextLargeResponse.set(true);
    }

    /**
     * How many connections were cut.
     *
     * @return the count.
     */
    public int cuts()
    {
        return cuts.get();
    }

    private void acceptLoop()
    {
        while (open)
        {
            try
            {
                final Socket proxySide = serverSocket.accept();
                while (brokerPort == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                final Socket brokerSide = new Socket();
                brokerSide.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort));
                proxySide.setTcpNoDelay(true);
                brokerSide.setTcpNoDelay(true);
                sockets.add(proxySide);
                sockets.add(brokerSide);
                start("slow-link-requests", () -> pumpRequests(proxySide, brokerSide));
                start("slow-link-responses", () -> pumpResponses(brokerSide, proxySide));
            }
            catch (final IOException e)
            {
                if (open)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        }
    }

    private static void start(final String name, final Runnable pump)
    {
        final Thread thread = new Thread(pump, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pumpRequests(final Socket from, final Socket to)
    {
        final byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                final long rate = requestBytesPerSecond.get();
                if (rate != Long.MAX_VALUE)
                {
                    awaitLinkTime(TimeUnit.SECONDS.toNanos(1) * read / rate);
                }
                awaitThaw();
                out.write(buffer, 0, read);
            }
        }
        catch (final IOException closed)
        {
            // Either side went away: the other one is closed below.
        }
        finally
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /**
     * Books the next free slot of the shared link for a read and waits until it has gone through: all connections
     * together get the configured rate, as on one slow network path (a simple emulation, not a precise shaper).
     */
    private void awaitLinkTime(final long transmitNanos)
    {
        final long now = System.nanoTime();
        final long doneAt = requestLinkFreeAtNanos.accumulateAndGet(now, (freeAt, current) ->
            Math.max(freeAt, current) + transmitNanos);
        long remaining;
        while ((remaining = doneAt - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remaining);
        }
    }

    private void awaitThaw()
    {
        while (frozen && open)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void pumpResponses(final Socket from, final Socket to)
    {
        final byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                if (read >= BUFFER_BYTES / 2 && cutNextLargeResponse.compareAndSet(true, false))
                {
                    out.write(buffer, 0, read / 2);
                    out.flush();
                    cuts.incrementAndGet();
                    return;
                }
                awaitThaw();
                out.write(buffer, 0, read);
            }
        }
        catch (final IOException closed)
        {
            // Either side went away: the other one is closed below.
        }
        finally
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Closing is all that was wanted.
        }
    }

    @Override
    public void close() throws IOException
    {
        open = false;
        serverSocket.close();
        sockets.forEach(SlowBrokerLink::closeQuietly);
    }
}
