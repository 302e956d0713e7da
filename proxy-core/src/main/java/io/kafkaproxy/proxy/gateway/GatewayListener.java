package io.kafkaproxy.proxy.gateway;

import java.net.InetSocketAddress;

/**
 * A bound gateway listener (HTTP, MQTT): what the gateway's lifecycle needs of it.
 */
public interface GatewayListener
{
    /**
     * The address it is bound to.
     *
     * @return the address, with the real port when 0 was asked for.
     */
    InetSocketAddress address();

    /**
     * Stops accepting, and closes its connections (a stop has drained what it could).
     */
    void close();
}
