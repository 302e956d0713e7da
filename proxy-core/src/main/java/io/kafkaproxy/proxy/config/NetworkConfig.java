package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.kafkaproxy.protocol.wire.FrameDescriptor;

import java.time.Duration;
import java.util.Locale;

/**
 * The {@code network} section: I/O threads, the socket transport and per-connection limits.
 *
 * @param ioThreads            event loop threads; each owns its client connections and their broker
 *                             connections. Default: the number of cores.
 * @param maxRequestSizeBytes  the largest request a client may send; larger ones close the connection before
 *                             any memory is reserved. Default 100MiB, the broker's socket.request.max.bytes.
 * @param maxResponseSizeBytes the largest response accepted from a broker. Default 256MiB: a Fetch response is
 *                             bounded by the client's fetch.max.bytes (50MiB by default), and a broker always
 *                             returns at least one whole batch even when it is larger.
 * @param idleTimeout          a client connection that sends no request for this long, with none in flight, is closed; 0
 *                             disables. Default 10m, the broker's connections.max.idle.ms.
 * @param transport            the socket transport: {@code auto} (epoll where its native library loads, else NIO),
 *                             {@code epoll}, {@code io_uring} (epoll, logged with the reason, where the kernel does not
 *                             allow it) or {@code nio}. Default auto. Restart-only.
 * @param brokerTcpQuickAck    sets TCP_QUICKACK on broker channels (epoll and io_uring only; ignored on NIO), so that
 *                             the kernel acknowledges a broker's response at once rather than with the next request.
 *                             Default false, the kernel's own choice. Restart-only; an option to measure, not a
 *                             recommendation.
 * @param socketReceiveBufferBytes SO_RCVBUF of client and broker channels; 0 (the default) leaves the kernel's
 *                             autotuning. Restart-only.
 * @param socketSendBufferBytes SO_SNDBUF of client and broker channels; 0 (the default) leaves the kernel's
 *                             autotuning. Restart-only.
 * @param cutThrough           whether a broker response that spans several reads starts on to the client as soon as
 *                             its head is in (when the proxy does not rewrite it), rather than once it is whole; and a
 *                             large Produce request to the broker likewise, when no rule needs its topics. Default
 *                             true; restart-only.
 */
public record NetworkConfig(int ioThreads, int maxRequestSizeBytes, int maxResponseSizeBytes, Duration idleTimeout,
    TransportKind transport, boolean brokerTcpQuickAck, int socketReceiveBufferBytes, int socketSendBufferBytes,
    boolean cutThrough)
{
    /**
     * The socket transport asked for; what runs is decided at start by what the machine offers.
     */
    public enum TransportKind
    {
        /** Epoll where it loads, NIO elsewhere: today's behaviour. */
        AUTO("auto"),
        /** Linux epoll; NIO, logged, where its native library does not load. */
        EPOLL("epoll"),
        /** Linux io_uring; epoll, logged with the reason, where the kernel or the native library does not allow it. */
        IO_URING("io_uring"),
        /** The JDK's NIO selector: no native library. */
        NIO("nio");

        private final String yamlName;

        TransportKind(final String yamlName)
        {
            this.yamlName = yamlName;
        }

        /**
         * The name in YAML and on the command line.
         *
         * @return {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}.
         */
        public String yamlName()
        {
            return yamlName;
        }

        /**
         * Reads a transport name.
         *
         * @param path the YAML path or flag, for the error.
         * @param text the name.
         * @return the transport.
         * @throws IllegalArgumentException naming the path, if the name is none of them.
         */
        public static TransportKind parse(final String path, final String text)
        {
            for (final TransportKind kind : values())
            {
                if (kind.yamlName.equals(text.toLowerCase(Locale.ROOT)))
                {
                    return kind;
                }
            }
            throw new IllegalArgumentException(path + ": must be auto, epoll, io_uring or nio: " + text);
        }
    }

    /** Default broker response limit. */
    public static final int DEFAULT_MAX_RESPONSE_SIZE_BYTES = 256 << 20;
    /** Default idle timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    private static final long LARGEST_SIZE = Integer.MAX_VALUE - FrameDescriptor.SIZE_FIELD_LENGTH;

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public NetworkConfig
    {
        if (ioThreads < 1)
        {
            throw new IllegalArgumentException("network.ioThreads: must be at least 1: " + ioThreads);
        }
        if (maxRequestSizeBytes < 64)
        {
            throw new IllegalArgumentException("network.maxRequestSizeBytes: too small to hold a request: " + maxRequestSizeBytes);
        }
        if (maxResponseSizeBytes < 64)
        {
            throw new IllegalArgumentException("network.maxResponseSizeBytes: too small to hold a response: " + maxResponseSizeBytes);
        }
        if (idleTimeout == null || idleTimeout.isNegative())
        {
            throw new IllegalArgumentException("network.idleTimeout: must not be negative: " + idleTimeout);
        }
        if (transport == null)
        {
            throw new IllegalArgumentException("network.transport: must be auto, epoll, io_uring or nio");
        }
        if (socketReceiveBufferBytes < 0)
        {
            throw new IllegalArgumentException("network.socketReceiveBufferBytes: must not be negative: " + socketReceiveBufferBytes);
        }
        if (socketSendBufferBytes < 0)
        {
            throw new IllegalArgumentException("network.socketSendBufferBytes: must not be negative: " + socketSendBufferBytes);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param ioThreads            the thread count, or null or 0 for one per core.
     * @param maxRequestSizeBytes  a size such as {@code 100MiB}, or null.
     * @param maxResponseSizeBytes a size such as {@code 256MiB}, or null.
     * @param idleTimeout          the idle timeout, or null.
     * @return the section.
     */
    public static NetworkConfig of(
        final Integer ioThreads,
        final String maxRequestSizeBytes,
        final String maxResponseSizeBytes,
        final Duration idleTimeout)
    {
        return of(ioThreads, maxRequestSizeBytes, maxResponseSizeBytes, idleTimeout, null, null, null, null, null);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param ioThreads            the thread count, or null or 0 for one per core.
     * @param maxRequestSizeBytes  a size such as {@code 100MiB}, or null.
     * @param maxResponseSizeBytes a size such as {@code 256MiB}, or null.
     * @param idleTimeout          the idle timeout, or null.
     * @param transport            {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}, or null for auto.
     * @param brokerTcpQuickAck    TCP_QUICKACK on broker channels, or null for false.
     * @param socketReceiveBufferBytes SO_RCVBUF as a size such as {@code 1MiB}, or null or 0 for the kernel's.
     * @param socketSendBufferBytes SO_SNDBUF as a size such as {@code 1MiB}, or null or 0 for the kernel's.
     * @param cutThrough           whether responses (and Produce requests) may stream, or null for true.
     * @return the section.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    @JsonCreator
    public static NetworkConfig of(
        @JsonProperty("ioThreads") final Integer ioThreads,
        @JsonProperty("maxRequestSizeBytes") final String maxRequestSizeBytes,
        @JsonProperty("maxResponseSizeBytes") final String maxResponseSizeBytes,
        @JsonProperty("idleTimeout") final Duration idleTimeout,
        @JsonProperty("transport") final String transport,
        @JsonProperty("brokerTcpQuickAck") final Boolean brokerTcpQuickAck,
        @JsonProperty("socketReceiveBufferBytes") final String socketReceiveBufferBytes,
        @JsonProperty("socketSendBufferBytes") final String socketSendBufferBytes,
        @JsonProperty("cutThrough") final Boolean cutThrough)
    {
        return new NetworkConfig(
            ioThreads == null || ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads,
            maxRequestSizeBytes == null ? FrameDescriptor.DEFAULT_MAX_MESSAGE_SIZE_BYTES :
                frameSize("network.maxRequestSizeBytes", maxRequestSizeBytes),
            maxResponseSizeBytes == null ? DEFAULT_MAX_RESPONSE_SIZE_BYTES : frameSize("network.maxResponseSizeBytes", maxResponseSizeBytes),
            idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout,
            transport == null ? TransportKind.AUTO : TransportKind.parse("network.transport", transport),
            brokerTcpQuickAck != null && brokerTcpQuickAck,
            socketReceiveBufferBytes == null ? 0 : frameSize("network.socketReceiveBufferBytes", socketReceiveBufferBytes),
            socketSendBufferBytes == null ? 0 : frameSize("network.socketSendBufferBytes", socketSendBufferBytes),
            cutThrough == null || cutThrough);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static NetworkConfig defaults()
    {
        return of(null, null, null, null, null, null, null, null, null);
    }

    /**
     * The same section with another thread count.
     *
     * @param threads the thread count; 0 for one per core.
     * @return the new section.
     */
    public NetworkConfig withIoThreads(final int threads)
    {
        return new NetworkConfig(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
            maxRequestSizeBytes, maxResponseSizeBytes, idleTimeout, transport,
            brokerTcpQuickAck, socketReceiveBufferBytes, socketSendBufferBytes, cutThrough);
    }

    /**
     * The same section with another transport.
     *
     * @param kind the transport asked for.
     * @return the new section.
     */
    public NetworkConfig withTransport(final TransportKind kind)
    {
        return new NetworkConfig(ioThreads, maxRequestSizeBytes, maxResponseSizeBytes, idleTimeout, kind, brokerTcpQuickAck,
            socketReceiveBufferBytes, socketSendBufferBytes, cutThrough);
    }

    /**
     * The same section with the socket options of another: they are restart-only, so a reload keeps the running ones.
     *
     * @param running the section the proxy started with.
     * @return the new section.
     */
    public NetworkConfig withSocketOptionsOf(final NetworkConfig running)
    {
        return new NetworkConfig(ioThreads, maxRequestSizeBytes, maxResponseSizeBytes, idleTimeout, running.transport,
            running.brokerTcpQuickAck, running.socketReceiveBufferBytes, running.socketSendBufferBytes, cutThrough);
    }

    /**
     * The same section with another request limit.
     *
     * @param bytes the largest request a client may send.
     * @return the new section.
     * @throws IllegalArgumentException if the limit is too small to hold a request.
     */
    public NetworkConfig withMaxRequestSizeBytes(final int bytes)
    {
        return new NetworkConfig(ioThreads, bytes, maxResponseSizeBytes, idleTimeout, transport,
            brokerTcpQuickAck, socketReceiveBufferBytes, socketSendBufferBytes, cutThrough);
    }

    /**
     * The same section with another response limit.
     *
     * @param bytes the largest response accepted from a broker.
     * @return the new section.
     * @throws IllegalArgumentException if the limit is too small to hold a response.
     */
    public NetworkConfig withMaxResponseSizeBytes(final int bytes)
    {
        return new NetworkConfig(ioThreads, maxRequestSizeBytes, bytes, idleTimeout, transport,
            brokerTcpQuickAck, socketReceiveBufferBytes, socketSendBufferBytes, cutThrough);
    }

    /**
     * The same section with cut-through forwarding on or off.
     *
     * @param enabled whether responses may stream.
     * @return the new section.
     */
    public NetworkConfig withCutThrough(final boolean enabled)
    {
        return new NetworkConfig(ioThreads, maxRequestSizeBytes, maxResponseSizeBytes, idleTimeout, transport,
            brokerTcpQuickAck, socketReceiveBufferBytes, socketSendBufferBytes, enabled);
    }

    /**
     * Reads a frame size limit ({@code 16MiB}, {@code 1048576}), naming where it came from when it is not one.
     *
     * @param path the YAML path or flag.
     * @param text the size.
     * @return the bytes.
     * @throws IllegalArgumentException naming the path, if the text is not a size or the size is larger than a frame
     *                                  can be.
     */
    public static int frameSize(final String path, final String text)
    {
        final long bytes;
        try
        {
            bytes = Units.parseBytes(text);
        }
        catch (final IllegalArgumentException | ArithmeticException e)
        {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        if (bytes > LARGEST_SIZE)
        {
            throw new IllegalArgumentException(path + ": larger than the protocol allows: " + text);
        }
        return (int)bytes;
    }
}
