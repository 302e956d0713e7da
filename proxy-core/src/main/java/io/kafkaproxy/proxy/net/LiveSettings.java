package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.codec.FrameSizeLimit;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.List;

/**
 * The settings a configuration reload changes while connections stay open, read where they are used.
 *
 * <p>Written by the one reload thread, read by the event loops: each value is volatile (or holds volatiles), and
 * each is read once per use, at a frame, a connect or a new connection, never cached across them.
 */
final class LiveSettings
{
    private final FrameSizeLimit requestLimit;
    private final FrameSizeLimit responseLimit;
    private volatile List<HostPort> bootstrapServers;
    private volatile int connectTimeoutMillis;
    private volatile long idleTimeoutMillis;

    LiveSettings(final ProxyConfig config)
    {
        requestLimit = new FrameSizeLimit(config.network().maxRequestSizeBytes());
        responseLimit = new FrameSizeLimit(config.network().maxResponseSizeBytes());
        apply(config);
    }

    /**
     * Takes the live values of a configuration.
     *
     * @param config the new configuration, already validated.
     */
    void apply(final ProxyConfig config)
    {
        requestLimit.set(config.network().maxRequestSizeBytes());
        responseLimit.set(config.network().maxResponseSizeBytes());
        bootstrapServers = config.upstream().bootstrapServers();
        connectTimeoutMillis = (int)config.upstream().connectTimeout().toMillis();
        idleTimeoutMillis = config.network().idleTimeout().toMillis();
    }

    FrameSizeLimit requestLimit()
    {
        return requestLimit;
    }

    FrameSizeLimit responseLimit()
    {
        return responseLimit;
    }

    List<HostPort> bootstrapServers()
    {
        return bootstrapServers;
    }

    int connectTimeoutMillis()
    {
        return connectTimeoutMillis;
    }

    long idleTimeoutMillis()
    {
        return idleTimeoutMillis;
    }
}
