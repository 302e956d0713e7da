package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;

import java.util.function.Consumer;

/**
 * Describes a proxy before it starts; {@link #start()} hands it to {@link KafkaProxy}, which starts its parts in
 * order.
 *
 * <p>Not thread safe: one thread describes and starts.
 */
public final class KafkaProxyBuilder
{
    private final ProxyConfig config;
    private MeterRegistry meterRegistry;
    private Consumer<ChannelPipeline> pipelineCustomizer = pipeline -> { };

    KafkaProxyBuilder(final ProxyConfig config)
    {
        this.config = config;
    }

    /**
     * Where the proxy's meters are registered.
     *
     * @param registry the registry; by default a Prometheus registry of the proxy's own, which the admin
     *                 listener exports (the admin listener needs a Prometheus registry).
     * @return this builder.
     */
    public KafkaProxyBuilder meterRegistry(final MeterRegistry registry)
    {
        this.meterRegistry = registry;
        return this;
    }

    /**
     * A hook run on every client pipeline once it is built, for embedding (tracing, capture). A handler placed between
     * the frame decoder and the frontend never sees a request that streams to the broker (cut-through); one placed
     * before the frame decoder sees every read.
     *
     * @param customizer called on the channel's event loop with the complete pipeline.
     * @return this builder.
     */
    public KafkaProxyBuilder clientPipelineCustomizer(final Consumer<ChannelPipeline> customizer)
    {
        this.pipelineCustomizer = customizer;
        return this;
    }

    /**
     * Starts the proxy and binds its bootstrap listener.
     *
     * @return the running proxy.
     * @throws KafkaProxy.ProxyStartException if the listener cannot be bound or the bind host cannot be resolved.
     */
    public KafkaProxy start()
    {
        return KafkaProxy.start(this);
    }

    ProxyConfig config()
    {
        return config;
    }

    MeterRegistry meterRegistry()
    {
        return meterRegistry;
    }

    Consumer<ChannelPipeline> pipelineCustomizer()
    {
        return pipelineCustomizer;
    }
}
