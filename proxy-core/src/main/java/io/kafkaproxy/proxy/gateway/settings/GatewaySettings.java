package io.kafkaproxy.proxy.gateway.settings;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.tls.ClientTlsContext;

import java.util.List;

/**
 * The compiled, immutable settings of the gateway listeners, part of the cluster snapshot so that a reload re-reads
 * their certificates and credential files with everything else, and refuses (keeping what runs) when one does not
 * load.
 *
 * @param httpTls         TLS of the HTTP listener; null: cleartext or no HTTP listener.
 * @param mqttTls         TLS of the MQTT listener; null: cleartext or no MQTT listener.
 * @param httpCredentials what HTTP clients are checked against; null without an HTTP listener.
 * @param mqttCredentials what MQTT clients are checked against; null without an MQTT listener.
 */
public record GatewaySettings(
    ClientTlsContext httpTls, ClientTlsContext mqttTls, GatewayCredentials httpCredentials, GatewayCredentials mqttCredentials)
{
    /** The listener name TLS metrics and logs use for the HTTP listener. */
    public static final String HTTP_LISTENER = "http";
    /** What the HTTP listener offers by ALPN, most preferred first. */
    public static final List<String> HTTP_APPLICATION_PROTOCOLS = List.of("h2", "http/1.1");
    /** The listener name TLS metrics and logs use for the MQTT listener. */
    public static final String MQTT_LISTENER = "mqtt";

    /**
     * Compiles the gateway sections of a configuration, reading the files they name.
     *
     * @param config the configuration.
     * @return the settings; null when the configuration has no gateway listener.
     * @throws IllegalArgumentException naming the file and YAML path, if a file does not load.
     */
    public static GatewaySettings compile(final ProxyConfig config)
    {
        if (config.http() == null && config.mqtt() == null)
        {
            return null;
        }
        return new GatewaySettings(
            config.http() == null || config.http().tls() == null ? null :
                ClientTlsContext.compile(config.http().tls(), "http.tls", HTTP_LISTENER, HTTP_APPLICATION_PROTOCOLS),
            config.mqtt() == null || config.mqtt().tls() == null ? null :
                ClientTlsContext.compile(config.mqtt().tls(), "mqtt.tls", MQTT_LISTENER),
            config.http() == null ? null : GatewayCredentials.load(config.http().auth(), "http.auth"),
            config.mqtt() == null ? null : GatewayCredentials.load(config.mqtt().auth(), "mqtt.auth"));
    }
}
