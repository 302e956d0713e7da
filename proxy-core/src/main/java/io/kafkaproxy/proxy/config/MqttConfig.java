package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code mqtt} section: the MQTT 3.1.1 and 5.0 gateway. Absent: no MQTT listener. Changing it takes a restart,
 * except the files {@code tls} and {@code auth} name, which a reload re-reads.
 *
 * @param bindAddress    host and port. No default; port 0 binds an ephemeral port.
 * @param maxPacketBytes the largest MQTT packet; a larger one closes the connection. Default 1MiB.
 * @param tls            TLS for MQTT clients, the keys of {@code listener.tls}; null: cleartext.
 * @param auth           how clients authenticate (CONNECT user name and password, or a client certificate). Default:
 *                       anonymous.
 */
public record MqttConfig(HostPort bindAddress, int maxPacketBytes, TlsServerConfig tls, GatewayAuthConfig auth)
{
    /** Default largest packet. */
    public static final int DEFAULT_MAX_PACKET_BYTES = 1 << 20;

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the bad value.
     */
    public MqttConfig
    {
        if (bindAddress == null)
        {
            throw new IllegalArgumentException("mqtt.bindAddress: required");
        }
        // 268,435,455 is the largest remaining length MQTT's variable byte integer can carry.
        if (maxPacketBytes < 64 || maxPacketBytes > 268_435_455)
        {
            throw new IllegalArgumentException("mqtt.maxPacketBytes: must be between 64B and 256MiB: " + maxPacketBytes);
        }
        if (auth == null)
        {
            auth = GatewayAuthConfig.ANONYMOUS;
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bindAddress    the address.
     * @param maxPacketBytes the largest packet ({@code 1MiB}), or null.
     * @param tls            the TLS settings, or null.
     * @param auth           the authentication settings, or null.
     * @return the section.
     */
    @JsonCreator
    public static MqttConfig of(
        @JsonProperty("bindAddress") final HostPort bindAddress,
        @JsonProperty("maxPacketBytes") final String maxPacketBytes,
        @JsonProperty("tls") final TlsServerConfig tls,
        @JsonProperty("auth") final GatewayAuthConfig auth)
    {
        final long bytes = HttpConfig.size("mqtt.maxPacketBytes", maxPacketBytes, DEFAULT_MAX_PACKET_BYTES);
        return new MqttConfig(bindAddress, (int)Math.min(bytes, Integer.MAX_VALUE), tls, auth);
    }

    /**
     * An MQTT listener on an address, every other key at its default: what {@code --mqtt-listen} makes.
     *
     * @param bindAddress the address.
     * @return the section.
     */
    public static MqttConfig listeningOn(final HostPort bindAddress)
    {
        return of(bindAddress, null, null, null);
    }

    /**
     * The same section with the settings a reload applies live: its TLS and authentication (their files are read
     * again at every reload anyway).
     *
     * @param newTls  the TLS settings.
     * @param newAuth the authentication settings.
     * @return the section.
     */
    public MqttConfig withLiveSecurity(final TlsServerConfig newTls, final GatewayAuthConfig newAuth)
    {
        return new MqttConfig(bindAddress, maxPacketBytes, newTls, newAuth);
    }

    /**
     * The same section on another address.
     *
     * @param newBindAddress the address.
     * @return the section.
     */
    public MqttConfig withBindAddress(final HostPort newBindAddress)
    {
        return new MqttConfig(newBindAddress, maxPacketBytes, tls, auth);
    }
}
