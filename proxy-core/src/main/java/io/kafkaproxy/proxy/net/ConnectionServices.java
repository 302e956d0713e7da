package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.connection.BrokerConnector;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;

import java.util.function.Consumer;

/**
 * What every client connection of one proxy is built with.
 *
 * @param settings           limits and timeouts a reload can change.
 * @param allocator          the pool allocator of every channel.
 * @param connector          opens broker connections.
 * @param nodes              the broker nodes and their proxy ports.
 * @param metrics            the proxy's meters.
 * @param policy             ACL rules, quotas and connection limits.
 * @param breakers           the circuit breakers of the broker nodes.
 * @param clientChannels     every open client channel, for shutdown.
 * @param pipelineCustomizer applied to each client pipeline after it is built; a hook for embedding and tests.
 */
record ConnectionServices(
    LiveSettings settings,
    PoolByteBufAllocator allocator,
    BrokerConnector connector,
    BrokerNodeRegistry nodes,
    ProxyMetrics metrics,
    PolicyServices policy,
    BrokerCircuitBreakers breakers,
    ChannelGroup clientChannels,
    Consumer<ChannelPipeline> pipelineCustomizer)
{
}
