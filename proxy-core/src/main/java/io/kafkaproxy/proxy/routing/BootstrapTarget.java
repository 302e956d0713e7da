package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.proxy.config.HostPort;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Routes a bootstrap connection to one of the upstream bootstrap servers, trying each once.
 *
 * <p>The starting server is chosen at random per connection so that clients spread over the list without any
 * counter shared between event loops. Immutable.
 */
public final class BootstrapTarget implements BrokerTarget
{
    private final List<HostPort> bootstrapServers;
    private final int firstIndex;

    /**
     * Creates the target for one connection.
     *
     * @param bootstrapServers the upstream bootstrap servers, at least one.
     */
    public BootstrapTarget(final List<HostPort> bootstrapServers)
    {
        if (bootstrapServers.isEmpty())
        {
            throw new IllegalArgumentException("no upstream bootstrap servers");
        }
        this.bootstrapServers = bootstrapServers;
        this.firstIndex = ThreadLocalRandom.current().nextInt(bootstrapServers.size());
    }

    @Override
    public InetSocketAddress brokerAddress(final int attempt)
    {
        if (attempt >= bootstrapServers.size())
        {
            return null;
        }
        final HostPort server = bootstrapServers.get((firstIndex + attempt) % bootstrapServers.size());
        return InetSocketAddress.createUnresolved(server.host(), server.port());
    }

    @Override
    public String route()
    {
        return "bootstrap";
    }
}
