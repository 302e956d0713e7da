package io.kafkaproxy.proxy.admin;

import io.kafkaproxy.proxy.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The upstream half of {@code /readyz}: whether one of a cluster's bootstrap servers accepts a TCP connection
 * within the connect timeout, trying them in order.
 *
 * <p>Thread-safe: each probe is its own chain of connects on the given loops, and never blocks the caller.
 */
public final class BrokerReadinessProbe
{
    private final EventLoopGroup group;

    /**
     * Creates the probe.
     *
     * @param group where the probe connections run.
     */
    public BrokerReadinessProbe(final EventLoopGroup group)
    {
        this.group = group;
    }

    /**
     * Probes a cluster.
     *
     * @param template the cluster's broker connection template, with its connect timeout, without a group or handler.
     * @param servers  the cluster's bootstrap servers, at least one.
     * @return completes with null when one accepted, else with the reason.
     */
    public CompletionStage<String> probe(final Bootstrap template, final List<HostPort> servers)
    {
        final CompletableFuture<String> result = new CompletableFuture<>();
        probe(template, servers, 0, result);
        return result;
    }

    private void probe(final Bootstrap template, final List<HostPort> servers, final int index, final CompletableFuture<String> result)
    {
        final HostPort server = servers.get(index);
        template.clone()
            .group(group.next())
            .handler(new ChannelInboundHandlerAdapter())
            .connect(InetSocketAddress.createUnresolved(server.host(), server.port()))
            .addListener((ChannelFuture connected) ->
            {
                if (connected.isSuccess())
                {
                    connected.channel().close();
                    result.complete(null);
                }
                else if (index + 1 < servers.size())
                {
                    probe(template, servers, index + 1, result);
                }
                else
                {
                    result.complete("no upstream bootstrap server reachable; last tried " + server + ": " +
                        connected.cause().getMessage());
                }
            });
    }
}
