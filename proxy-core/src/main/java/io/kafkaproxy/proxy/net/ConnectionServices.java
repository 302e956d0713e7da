package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.connection.ConnectionLogLimits;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;

import java.util.function.Consumer;

/**
 * What every client connection of one proxy is built with, whichever cluster it goes to; what belongs to the
 * cluster is in its {@link ClusterContext}.
 *
 * @param allocator          the pool allocator of every channel.
 * @param metrics            the proxy-wide meters, and those (cluster="") of connections not yet routed to a cluster.
 * @param clientChannels     every open client channel, for shutdown.
 * @param pipelineCustomizer applied to each client pipeline after it is built; a hook for embedding and tests.
 * @param logLimits          the WARN-line budgets every connection's failures share.
 * @param cutThrough         whether broker responses may stream to the client, and Produce requests to the broker
 *                           ({@code network.cutThrough}).
 */
record ConnectionServices(
    PoolByteBufAllocator allocator,
    ProxyMetrics metrics,
    ChannelGroup clientChannels,
    Consumer<ChannelPipeline> pipelineCustomizer,
    ConnectionLogLimits logLimits,
    boolean cutThrough)
{
}
