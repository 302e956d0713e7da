package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import java.time.Duration;
import java.util.List;

/**
 * The {@code mqtt} section: the MQTT 3.1.1 and 5.0 gateway. Absent: no MQTT listener. Changing it takes a restart,
 * except the files {@code tls} and {@code auth} name, which a reload re-reads.
 *
 * @param bindAddress    host and port. No default; port 0 binds an ephemeral port.
 * @param maxPacketBytes the largest MQTT packet; a larger one closes the connection. Default 1MiB.
 * @param tls            TLS for MQTT clients, the keys of {@code listener.tls}; null: cleartext.
 * @param auth           how clients authenticate (CONNECT user name and password, or a client certificate). Default:
 *                       anonymous.
 * @param mappings       which Kafka topic and key a PUBLISH goes to, first match wins; none matching: the MQTT topic
 *                       with '/' replaced by '.', key = client id. Default: none.
 * @param retainedTopic  the compacted Kafka topic holding retained messages (key = MQTT topic); null: retained
 *                       messages are not supported (MQTT 5 clients are told so, Retain Available = 0).
 * @param keepAliveMax   the longest keep-alive an MQTT 5 client is granted (Server Keep Alive); a client asking for
 *                       none or more gets this. 3.1.1 clients keep their own. Default 5m; at most 65535s.
 * @param sessionExpiry  the longest a persistent session (3.1.1 clean session 0, 5.0 session expiry interval) is kept
 *                       after its connection ends, in memory while the proxy runs. Default 1h; 0s: sessions end with
 *                       their connection.
 */
public record MqttConfig(
    HostPort bindAddress, int maxPacketBytes, TlsServerConfig tls, GatewayAuthConfig auth, List<MqttMappingConfig> mappings,
    String retainedTopic, Duration keepAliveMax, Duration sessionExpiry)
{
    /** Default largest packet. */
    public static final int DEFAULT_MAX_PACKET_BYTES = 1 << 20;
    /** Default longest keep-alive granted. */
    public static final Duration DEFAULT_KEEP_ALIVE_MAX = Duration.ofMinutes(5);
    /** Default longest session expiry. */
    public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(1);
    private static final Duration LONGEST_KEEP_ALIVE = Duration.ofSeconds(65_535);
    private static final Duration LONGEST_SESSION_EXPIRY = Duration.ofSeconds(0xFFFF_FFFFL);

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
        mappings = mappings == null ? List.of() : List.copyOf(mappings);
        if (retainedTopic != null)
        {
            try
            {
                Topic.validate(retainedTopic);
            }
            catch (final InvalidTopicException e)
            {
                throw new IllegalArgumentException("mqtt.retainedTopic: not a Kafka topic name: " + e.getMessage(), e);
            }
        }
        if (keepAliveMax == null)
        {
            keepAliveMax = DEFAULT_KEEP_ALIVE_MAX;
        }
        if (keepAliveMax.compareTo(Duration.ofSeconds(1)) < 0 || keepAliveMax.compareTo(LONGEST_KEEP_ALIVE) > 0)
        {
            throw new IllegalArgumentException("mqtt.keepAliveMax: must be between 1s and 65535s: " + keepAliveMax);
        }
        if (sessionExpiry == null)
        {
            sessionExpiry = DEFAULT_SESSION_EXPIRY;
        }
        if (sessionExpiry.isNegative() || sessionExpiry.compareTo(LONGEST_SESSION_EXPIRY) > 0)
        {
            throw new IllegalArgumentException("mqtt.sessionExpiry: must be between 0s and 4294967295s: " + sessionExpiry);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bindAddress    the address.
     * @param maxPacketBytes the largest packet ({@code 1MiB}), or null.
     * @param tls            the TLS settings, or null.
     * @param auth           the authentication settings, or null.
     * @param mappings       the mapping rules, or null.
     * @param retainedTopic  the retained messages' topic, or null.
     * @param keepAliveMax   the longest keep-alive, or null.
     * @param sessionExpiry  the longest session expiry, or null.
     * @return the section.
     */
    @JsonCreator
    public static MqttConfig of(
        @JsonProperty("bindAddress") final HostPort bindAddress,
        @JsonProperty("maxPacketBytes") final String maxPacketBytes,
        @JsonProperty("tls") final TlsServerConfig tls,
        @JsonProperty("auth") final GatewayAuthConfig auth,
        @JsonProperty("mappings") final List<MqttMappingConfig> mappings,
        @JsonProperty("retainedTopic") final String retainedTopic,
        @JsonProperty("keepAliveMax") final Duration keepAliveMax,
        @JsonProperty("sessionExpiry") final Duration sessionExpiry)
    {
        final long bytes = HttpConfig.size("mqtt.maxPacketBytes", maxPacketBytes, DEFAULT_MAX_PACKET_BYTES);
        return new MqttConfig(bindAddress, (int)Math.min(bytes, Integer.MAX_VALUE), tls, auth, mappings, retainedTopic, keepAliveMax,
            sessionExpiry);
    }

    /**
     * An MQTT listener on an address, every other key at its default: what {@code --mqtt-listen} makes.
     *
     * @param bindAddress the address.
     * @return the section.
     */
    public static MqttConfig listeningOn(final HostPort bindAddress)
    {
        return of(bindAddress, null, null, null, null, null, null, null);
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
        return new MqttConfig(bindAddress, maxPacketBytes, newTls, newAuth, mappings, retainedTopic, keepAliveMax, sessionExpiry);
    }

    /**
     * The same section on another address.
     *
     * @param newBindAddress the address.
     * @return the section.
     */
    public MqttConfig withBindAddress(final HostPort newBindAddress)
    {
        return new MqttConfig(newBindAddress, maxPacketBytes, tls, auth, mappings, retainedTopic, keepAliveMax, sessionExpiry);
    }
}
