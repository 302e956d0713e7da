package io.kafkaproxy.proxy.failover;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.net.SocketAddress;

/**
 * The fence of one broker connection: the connection belongs to the failover generation its client connection was
 * accepted under, and once the cluster has switched upstream (a newer generation is published) it carries nothing
 * more. A connect not yet started fails without reaching the network; a connect completing, a request written or a
 * response read closes the connection instead (the request and response released, never forwarded).
 *
 * <p>So not one request reaches the old upstream after the switch, including connects in progress and requests the
 * client connection had queued; the state machine sees the broker connection close and closes the client's. Checked
 * with one volatile read per write.
 *
 * <p>Per broker channel, first in its pipeline: the first handler a read meets and the last a write passes (under
 * TLS it sees the encrypted records, the handshake's too), so nothing passes it either way. Confined to the channel's
 * event loop.
 */
public final class GenerationFenceHandler extends ChannelDuplexHandler
{
    private final ClusterFailover failover;
    private final long generation;
    private boolean fenced;

    /**
     * Creates the fence of one broker connection.
     *
     * @param failover   the cluster's failover state.
     * @param generation the generation the client connection was accepted under.
     */
    public GenerationFenceHandler(final ClusterFailover failover, final long generation)
    {
        this.failover = failover;
        this.generation = generation;
    }

    @Override
    public void connect(final ChannelHandlerContext ctx, final SocketAddress remoteAddress, final SocketAddress localAddress,
        final ChannelPromise promise)
    {
        if (failover.generation() != generation)
        {
            onFenced();
            promise.tryFailure(new BrokerFencedException(generation, failover.generation()));
            ctx.close();
            return;
        }
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (failover.generation() != generation)
        {
            onFenced();
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (failover.generation() != generation)
        {
            ReferenceCountUtil.release(msg);
            onFenced();
            if (!promise.isVoid())
            {
                promise.tryFailure(new BrokerFencedException(generation, failover.generation()));
            }
            ctx.close();
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (failover.generation() != generation)
        {
            // An answer of the old upstream must not teach the node registry its addresses again.
            ReferenceCountUtil.release(msg);
            onFenced();
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void onFenced()
    {
        if (!fenced)
        {
            fenced = true;
            failover.onFenced();
        }
    }

    /**
     * A broker connection of an older failover generation was not made.
     */
    public static final class BrokerFencedException extends Exception
    {
        private static final long serialVersionUID = 1L;

        BrokerFencedException(final long generation, final long current)
        {
            super("broker connection fenced: the cluster switched upstream: generation=" + generation + ", current=" + current,
                null, false, false);
        }
    }
}
