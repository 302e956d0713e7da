package io.kafkaproxy.proxy.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: Linux epoll where its native library loads, NIO elsewhere.
 *
 * <p>Client channels, broker channels and the DNS resolver all use the same transport, so a broker channel
 * can be registered on its client's event loop. Immutable.
 */
final class Transport
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Transport.class);

    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final Class<? extends DatagramChannel> datagramChannelClass;

    private Transport(
        final String name,
        final IoHandlerFactory ioHandlerFactory,
        final Class<? extends ServerChannel> serverChannelClass,
        final Class<? extends SocketChannel> socketChannelClass,
        final Class<? extends DatagramChannel> datagramChannelClass)
    {
        this.name = name;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
        this.datagramChannelClass = datagramChannelClass;
    }

    /**
     * Epoll when available, else NIO; chosen and logged once per process.
     *
     * @return the transport.
     */
    public static Transport detect()
    {
        return Detected.TRANSPORT;
    }

    private static Transport choose()
    {
        if (Epoll.isAvailable())
        {
            LOGGER.atInfo().addKeyValue("transport", "epoll").log("using the native epoll transport");
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        LOGGER.atInfo()
            .addKeyValue("transport", "nio")
            .addKeyValue("error", String.valueOf(Epoll.unavailabilityCause()))
            .log("native epoll transport unavailable, falling back to NIO");
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
            NioSocketChannel.class, NioDatagramChannel.class);
    }

    /**
     * The transport's name.
     *
     * @return {@code epoll} or {@code nio}.
     */
    public String name()
    {
        return name;
    }

    /**
     * The I/O handler for event loop groups.
     *
     * @return the factory.
     */
    public IoHandlerFactory ioHandlerFactory()
    {
        return ioHandlerFactory;
    }

    /**
     * The listening socket type.
     *
     * @return the server channel class.
     */
    public Class<? extends ServerChannel> serverChannelClass()
    {
        return serverChannelClass;
    }

    /**
     * The connected socket type.
     *
     * @return the socket channel class.
     */
    public Class<? extends SocketChannel> socketChannelClass()
    {
        return socketChannelClass;
    }

    /**
     * The UDP socket type, for DNS.
     *
     * @return the datagram channel class.
     */
    public Class<? extends DatagramChannel> datagramChannelClass()
    {
        return datagramChannelClass;
    }

    private static final class Detected
    {
        static final Transport TRANSPORT = choose();
    }
}
