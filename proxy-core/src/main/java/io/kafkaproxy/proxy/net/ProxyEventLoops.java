package io.kafkaproxy.proxy.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's event loop groups, named by role: one acceptor loop (listeners, node discovery, readiness probes),
 * the I/O loops (client connections and their broker connections), and the admin loop once the admin listener runs.
 *
 * <p>Created, extended and shut down by the lifecycle thread only.
 */
final class ProxyEventLoops
{
    private static final long SHUTDOWN_QUIET_MILLIS = 0;

    private final Transport transport;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private EventLoopGroup admin;

    /**
     * Starts the acceptor and I/O loops.
     *
     * @param transport the socket transport.
     * @param ioThreads how many I/O loops.
     */
    ProxyEventLoops(final Transport transport, final int ioThreads)
    {
        this.transport = transport;
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kafka-proxy-acceptor"),
            transport.ioHandlerFactory());
        this.io = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("kafka-proxy-io"),
            transport.ioHandlerFactory());
    }

    EventLoopGroup acceptor()
    {
        return acceptor;
    }

    EventLoopGroup io()
    {
        return io;
    }

    /**
     * Starts the admin listener's loop.
     *
     * @return the admin group.
     */
    EventLoopGroup startAdmin()
    {
        admin = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kafka-proxy-admin"), transport.ioHandlerFactory());
        return admin;
    }

    /**
     * Shuts every group down and waits for them.
     *
     * @param timeoutMillis how long each group may take.
     */
    void shutdown(final long timeoutMillis)
    {
        final List<Future<?>> stopped = new ArrayList<>();
        stopped.add(io.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, timeoutMillis, TimeUnit.MILLISECONDS));
        stopped.add(acceptor.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, timeoutMillis, TimeUnit.MILLISECONDS));
        if (admin != null)
        {
            stopped.add(admin.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, timeoutMillis, TimeUnit.MILLISECONDS));
        }
        for (final Future<?> group : stopped)
        {
            group.awaitUninterruptibly();
        }
    }
}
