package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.NetworkConfig.TransportKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;

/**
 * The socket transport: Linux epoll where its native library loads, NIO elsewhere, or io_uring or NIO when asked
 * for ({@code network.transport}).
 *
 * <p>io_uring falls back to epoll (and epoll to NIO) with one WARN line naming why, so that a configuration written
 * for one kernel still starts on another. The proxy's reads into its pool work alike on all three: io_uring submits
 * each read with a buffer from the channel's {@code RecvByteBufAllocator} handle, as epoll and NIO read into one, and
 * the only transport-specific option, TCP_QUICKACK ({@code network.brokerTcpQuickAck}), is set through the running
 * transport's own option and skipped on NIO.
 *
 * <p>It also carries the socket options of {@code network} ({@link #withSocketOptions}), applied to the client
 * channels of every listener and to broker channels; by default none, the kernel's choices.
 *
 * <p>Client channels, broker channels and the DNS resolver all use the same transport, so a broker channel
 * can be registered on its client's event loop. Immutable.
 */
final class Transport
{
    // How many bytes may wait to be written to a peer before the other side's reads pause (high) and go on (low), on
    // client and broker channels alike. Netty's default, 64 / 32 KiB, is a fraction of one Fetch response or large
    // Produce request: a streamed 1 MiB response turned the client channel unwritable and writable again, and the
    // broker's reads off and on (two epoll_ctl calls), every 64 KiB, and each crossing cost an allocation. These bytes
    // are pool memory, under its budget like any other. Measured: bench/RESULTS.md, "fewer system calls while a
    // response streams".
    private static final WriteBufferWaterMark WRITE_BUFFER = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

    private static final Logger LOGGER = LoggerFactory.getLogger(Transport.class);
    // One choice (and its log line) per process and kind: tests start many proxies in one JVM.
    private static final Map<TransportKind, Transport> CHOSEN = new EnumMap<>(TransportKind.class);

    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final Class<? extends DatagramChannel> datagramChannelClass;
    private final boolean brokerTcpQuickAck;
    private final int socketReceiveBufferBytes;
    private final int socketSendBufferBytes;

    private Transport(
        final String name,
        final IoHandlerFactory ioHandlerFactory,
        final Class<? extends ServerChannel> serverChannelClass,
        final Class<? extends SocketChannel> socketChannelClass,
        final Class<? extends DatagramChannel> datagramChannelClass)
    {
        this(name, ioHandlerFactory, serverChannelClass, socketChannelClass, datagramChannelClass, false, 0, 0);
    }

    private Transport(
        final String name,
        final IoHandlerFactory ioHandlerFactory,
        final Class<? extends ServerChannel> serverChannelClass,
        final Class<? extends SocketChannel> socketChannelClass,
        final Class<? extends DatagramChannel> datagramChannelClass,
        final boolean brokerTcpQuickAck,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes)
    {
        this.name = name;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
        this.datagramChannelClass = datagramChannelClass;
        this.brokerTcpQuickAck = brokerTcpQuickAck;
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        this.socketSendBufferBytes = socketSendBufferBytes;
    }

    /**
     * The same transport with the socket options of a {@code network} section.
     *
     * @param network the section: TCP_QUICKACK on broker channels, SO_RCVBUF and SO_SNDBUF (0: the kernel's).
     * @return the transport with those options.
     */
    public Transport withSocketOptions(final NetworkConfig network)
    {
        return new Transport(name, ioHandlerFactory, serverChannelClass, socketChannelClass, datagramChannelClass,
            network.brokerTcpQuickAck(), network.socketReceiveBufferBytes(), network.socketSendBufferBytes());
    }

    /**
     * Sets the write buffer's water marks and the configured socket options on a bootstrap of broker channels.
     *
     * @param bootstrap the broker connector's template.
     * @return the bootstrap.
     */
    public Bootstrap applyBrokerSocketOptions(final Bootstrap bootstrap)
    {
        bootstrap.option(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER);
        if (socketReceiveBufferBytes > 0)
        {
            bootstrap.option(ChannelOption.SO_RCVBUF, socketReceiveBufferBytes);
        }
        if (socketSendBufferBytes > 0)
        {
            bootstrap.option(ChannelOption.SO_SNDBUF, socketSendBufferBytes);
        }
        if (brokerTcpQuickAck && "epoll".equals(name))
        {
            bootstrap.option(EpollChannelOption.TCP_QUICKACK, true);
        }
        else if (brokerTcpQuickAck && "io_uring".equals(name))
        {
            bootstrap.option(IoUringChannelOption.TCP_QUICKACK, true);
        }
        return bootstrap;
    }

    /**
     * Sets the write buffer's water marks and the configured socket options on a listener's client channels.
     *
     * @param bootstrap a listener's bootstrap.
     * @return the bootstrap.
     */
    public ServerBootstrap applyClientSocketOptions(final ServerBootstrap bootstrap)
    {
        bootstrap.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER);
        if (socketReceiveBufferBytes > 0)
        {
            // On the listening socket too: a window larger than 64 KiB must be set before the handshake to be offered.
            bootstrap.option(ChannelOption.SO_RCVBUF, socketReceiveBufferBytes);
            bootstrap.childOption(ChannelOption.SO_RCVBUF, socketReceiveBufferBytes);
        }
        if (socketSendBufferBytes > 0)
        {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, socketSendBufferBytes);
        }
        return bootstrap;
    }

    /**
     * The transport asked for, or the nearest the machine offers; chosen and logged once per process and kind.
     *
     * @param kind the transport asked for ({@code network.transport}).
     * @return the transport.
     */
    public static Transport of(final TransportKind kind)
    {
        synchronized (CHOSEN)
        {
            return CHOSEN.computeIfAbsent(kind, Transport::choose);
        }
    }

    private static Transport choose(final TransportKind kind)
    {
        if (kind == TransportKind.NIO)
        {
            LOGGER.atInfo().addKeyValue("transport", "nio").log("using the NIO transport");
            return nio();
        }
        if (kind == TransportKind.IO_URING)
        {
            if (IoUring.isAvailable())
            {
                LOGGER.atInfo().addKeyValue("transport", "io_uring").log("using the native io_uring transport");
                return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class, IoUringDatagramChannel.class);
            }
            LOGGER.atWarn()
                .addKeyValue("transport", Epoll.isAvailable() ? "epoll" : "nio")
                .addKeyValue("error", String.valueOf(IoUring.unavailabilityCause()))
                .log("io_uring transport unavailable, falling back");
        }
        if (Epoll.isAvailable())
        {
            LOGGER.atInfo().addKeyValue("transport", "epoll").log("using the native epoll transport");
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        // Asked for by name, its absence is worth a WARN; under auto NIO is the documented fallback.
        LOGGER.atLevel(kind == TransportKind.EPOLL ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.INFO)
            .addKeyValue("transport", "nio")
            .addKeyValue("error", String.valueOf(Epoll.unavailabilityCause()))
            .log("native epoll transport unavailable, falling back to NIO");
        return nio();
    }

    private static Transport nio()
    {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
            NioSocketChannel.class, NioDatagramChannel.class);
    }

    /**
     * The transport's name.
     *
     * @return {@code epoll}, {@code io_uring} or {@code nio}.
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
}
