package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.net.KafkaProxy;
import io.netty.channel.ChannelPipeline;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Proxies with TLS on their listener in front of a shared test cluster, and the settings that make Kafka clients speak
 * TLS to them.
 */
public final class TlsClients
{
    private TlsClients()
    {
    }

    /**
     * Starts a proxy whose listener has TLS, in front of a cluster the caller keeps.
     *
     * @param upstream           the cluster.
     * @param tls                the listener's TLS section.
     * @param pipelineCustomizer a hook on each client pipeline.
     * @return the proxy.
     */
    public static KafkaProxy startProxy(final BrokerCluster upstream, final TlsServerConfig tls, final Consumer<ChannelPipeline> pipelineCustomizer)
    {
        return startProxy(upstream, tls, UnaryOperator.identity(), pipelineCustomizer);
    }

    /**
     * Starts a proxy with adjusted settings whose listener has TLS (or not, with a null section), in front of a
     * cluster the caller keeps.
     *
     * @param upstream           the cluster.
     * @param tls                the listener's TLS section, or null for plaintext.
     * @param configuration      adjusts the tests' usual configuration (a policy).
     * @param pipelineCustomizer a hook on each client pipeline.
     * @return the proxy.
     */
    public static KafkaProxy startProxy(final BrokerCluster upstream, final TlsServerConfig tls,
        final UnaryOperator<ProxyConfig> configuration, final Consumer<ChannelPipeline> pipelineCustomizer)
    {
        final ProxyConfig config = configuration.apply(ProxiedKafka.proxyConfig(upstream.bootstrapServers()));
        return KafkaProxy.builder(config.toBuilder().listener(config.listener().withTls(tls)).build())
            .clientPipelineCustomizer(pipelineCustomizer)
            .start();
    }

    /**
     * Client settings for Kafka's SSL security protocol, trusting a PEM file of authorities.
     *
     * @param config      the client's other settings, changed in place.
     * @param trustedPem  the authorities that signed the proxy's certificate.
     * @return the settings.
     */
    public static Map<String, Object> ssl(final Map<String, Object> config, final Path trustedPem)
    {
        config.put("security.protocol", "SSL");
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", trustedPem.toString());
        return config;
    }

    /**
     * Client settings for Kafka's SSL security protocol with a client certificate from a PKCS#12 key store.
     *
     * @param config      the client's other settings, changed in place.
     * @param trustedPem  the authorities that signed the proxy's certificate.
     * @param keyStore    the client's key store, password {@link TestCertificates#PASSWORD}.
     * @return the settings.
     */
    public static Map<String, Object> mutualSsl(final Map<String, Object> config, final Path trustedPem, final Path keyStore)
    {
        ssl(config, trustedPem);
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.keystore.location", keyStore.toString());
        config.put("ssl.keystore.password", TestCertificates.PASSWORD);
        config.put("ssl.key.password", TestCertificates.PASSWORD);
        return config;
    }

    /**
     * The same settings as strings, for clients loaded from other class loaders.
     *
     * @param config the settings.
     * @return the settings, each value a string.
     */
    public static Map<String, String> asStrings(final Map<String, Object> config)
    {
        final Map<String, String> strings = new HashMap<>();
        config.forEach((key, value) -> strings.put(key, String.valueOf(value)));
        return strings;
    }
}
