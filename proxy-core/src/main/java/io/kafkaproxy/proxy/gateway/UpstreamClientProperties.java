package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;
import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.StandbyUpstreamConfig;
import io.kafkaproxy.proxy.config.StoreConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The settings a Kafka client inside the proxy (the gateway's producer, admin client and feed consumers) needs to
 * reach an upstream cluster the way the proxy's own connections do: the same bootstrap servers, the same TLS trust and
 * client certificate ({@code upstream.tls}), the same SASL login ({@code upstream.sasl}).
 */
public final class UpstreamClientProperties
{
    private UpstreamClientProperties()
    {
    }

    /**
     * The connection settings of a Kafka client for an upstream cluster.
     *
     * @param upstream the {@code upstream} section.
     * @param clientId the client id the brokers see, e.g. {@code kafka-proxy-gateway-producer}.
     * @return a new mutable map; add the producer's or consumer's own settings to it.
     */
    public static Map<String, Object> of(final BrokerClusterConfig upstream, final String clientId)
    {
        return of(upstream.bootstrapServers(), upstream.tls(),
            upstream.sasl() == null ? null : BrokerLoginCredentials.compile(upstream.sasl()), clientId);
    }

    /**
     * The connection settings of a Kafka client for a virtual cluster's standby upstream: what the client reaches
     * once the cluster has failed over.
     *
     * @param standby  the {@code upstream.standby} section.
     * @param clientId the client id the brokers see.
     * @return a new mutable map; add the producer's or consumer's own settings to it.
     */
    public static Map<String, Object> of(final StandbyUpstreamConfig standby, final String clientId)
    {
        final BrokerSaslConfig sasl = standby.sasl();
        return of(standby.bootstrapServers(), standby.tls(),
            sasl == null ? null : BrokerLoginCredentials.compile(sasl, "upstream.standby.sasl"), clientId);
    }

    private static Map<String, Object> of(
        final List<HostPort> bootstrapServers, final BrokerTlsConfig tls, final BrokerLoginCredentials login, final String clientId)
    {
        final Map<String, Object> properties = new HashMap<>();
        final StringJoiner servers = new StringJoiner(",");
        for (final HostPort server : bootstrapServers)
        {
            servers.add(server.host() + ":" + server.port());
        }
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers.toString());
        properties.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        final boolean sasl = login != null;
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
            tls != null ? (sasl ? "SASL_SSL" : "SSL") : (sasl ? "SASL_PLAINTEXT" : "PLAINTEXT"));
        if (tls != null)
        {
            putTls(properties, tls);
        }
        if (sasl)
        {
            putSasl(properties, login);
        }
        return properties;
    }

    private static void putTls(final Map<String, Object> properties, final BrokerTlsConfig tls)
    {
        if (tls.trustedCertificates() != null)
        {
            properties.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            properties.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read(tls.trustedCertificates()));
        }
        else if (tls.trustStore() != null)
        {
            putStore(properties, tls.trustStore(), SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        }
        if (tls.certificate() != null)
        {
            properties.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            properties.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(tls.certificate()));
            properties.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(tls.privateKey()));
            final String keyPassword = tls.privateKeyPassword() != null ? tls.privateKeyPassword() :
                tls.privateKeyPasswordFile() != null ? read(tls.privateKeyPasswordFile()).strip() : null;
            if (keyPassword != null)
            {
                properties.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, keyPassword);
            }
        }
        else if (tls.keyStore() != null)
        {
            putStore(properties, tls.keyStore(), SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
                SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
            properties.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.keyStore().effectiveKeyPassword());
        }
        properties.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, tls.hostnameVerification() ? "https" : "");
        properties.put(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, String.join(",", tls.protocols()));
        properties.put(SslConfigs.SSL_PROTOCOL_CONFIG, tls.protocols().get(0));
        if (!tls.cipherSuites().isEmpty())
        {
            properties.put(SslConfigs.SSL_CIPHER_SUITES_CONFIG, String.join(",", tls.cipherSuites()));
        }
    }

    private static void putStore(
        final Map<String, Object> properties, final StoreConfig store, final String location, final String type, final String password)
    {
        properties.put(location, store.path().toString());
        properties.put(type, store.type().name());
        if (store.password() != null)
        {
            properties.put(password, store.password());
        }
    }

    private static void putSasl(final Map<String, Object> properties, final BrokerLoginCredentials login)
    {
        properties.put(SaslConfigs.SASL_MECHANISM, login.mechanism().mechanismName());
        final String module = login.mechanism() == BrokerSaslMechanism.PLAIN ?
            "org.apache.kafka.common.security.plain.PlainLoginModule" :
            "org.apache.kafka.common.security.scram.ScramLoginModule";
        properties.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasQuoted(login.username()) +
            "\" password=\"" + jaasQuoted(login.password()) + "\";");
    }

    private static String jaasQuoted(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
