package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.failover.ClusterFailover;
import io.kafkaproxy.proxy.gateway.http.HttpGatewayServer;
import io.kafkaproxy.proxy.gateway.mqtt.MqttGatewayServer;
import io.kafkaproxy.proxy.gateway.stream.StreamRoute;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The HTTP and MQTT gateway's lifecycle: its shared services and its listeners. {@code KafkaProxy} starts it after the
 * Kafka listeners when the configuration has an {@code http} or {@code mqtt} section, and closes it first on stop, so
 * that no gateway record is accepted once the producer starts flushing.
 */
public final class Gateway implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Gateway.class);

    private final ProxyConfig config;
    private final GatewayServices services;
    private final GatewayNetwork network;
    private GatewayListener http;
    private GatewayListener mqtt;

    private Gateway(final ProxyConfig config, final GatewayServices services, final GatewayNetwork network)
    {
        this.config = config;
        this.services = services;
        this.network = network;
    }

    /**
     * Starts the gateway of a configuration, if it has one.
     *
     * @param config    the configuration.
     * @param snapshots the served cluster's current snapshot.
     * @param failover  the served cluster's failover state: the gateway's Kafka clients follow its switches.
     * @param registry  where meters go.
     * @param network   the proxy's event loops and transport.
     * @return the gateway; null when the configuration has neither {@code http} nor {@code mqtt}.
     */
    public static Gateway start(
        final ProxyConfig config,
        final Supplier<ClusterSnapshot> snapshots,
        final ClusterFailover failover,
        final MeterRegistry registry,
        final GatewayNetwork network)
    {
        if (config.http() == null && config.mqtt() == null)
        {
            return null;
        }
        final Gateway gateway = new Gateway(config, new GatewayServices(config, snapshots, registry, failover), network);
        try
        {
            gateway.bindListeners();
        }
        catch (final RuntimeException e)
        {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void bindListeners()
    {
        if (config.http() != null)
        {
            http = bindHttp();
        }
        if (config.mqtt() != null)
        {
            mqtt = bindMqtt();
        }
    }

    private GatewayListener bindHttp()
    {
        // Endpoints of other packages (gateway.stream's GET /v1/stream/{topic}) are added to the router here.
        return HttpGatewayServer.start(config.http(), services, network, router -> StreamRoute.register(router, services));
    }

    private GatewayListener bindMqtt()
    {
        return MqttGatewayServer.bind(network, config.mqtt(), services);
    }

    /**
     * The shared services.
     *
     * @return the services.
     */
    public GatewayServices services()
    {
        return services;
    }

    /**
     * The configuration the gateway was started with.
     *
     * @return the configuration.
     */
    public ProxyConfig config()
    {
        return config;
    }

    /**
     * The proxy's event loops and transport.
     *
     * @return the network.
     */
    public GatewayNetwork network()
    {
        return network;
    }

    /**
     * Where the HTTP listener is bound.
     *
     * @return the address; null without an HTTP listener.
     */
    public InetSocketAddress httpAddress()
    {
        return http == null ? null : http.address();
    }

    /**
     * Where the MQTT listener is bound.
     *
     * @return the address; null without an MQTT listener.
     */
    public InetSocketAddress mqttAddress()
    {
        return mqtt == null ? null : mqtt.address();
    }

    /**
     * Closes the listeners, then flushes the producer (records accepted are sent, up to its timeout), then the rest.
     */
    @Override
    public void close()
    {
        if (http != null)
        {
            http.close();
        }
        if (mqtt != null)
        {
            mqtt.close();
        }
        services.close();
        LOGGER.atInfo().log("gateway closed");
    }
}
