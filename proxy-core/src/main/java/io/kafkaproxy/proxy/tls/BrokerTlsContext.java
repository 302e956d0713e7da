package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The compiled TLS material of one cluster's broker connections ({@code upstream.tls}): a client {@link SslContext}
 * whose files were read when the snapshot was compiled, and the {@link SslHandler} each new broker channel starts with.
 *
 * <p>Hostname verification is endpoint identification {@code HTTPS} on every engine (the broker's certificate must
 * name the host the proxy connects to), and the server name indication is that host. Immutable and thread-safe
 * (Netty's {@code SslContext} is); shared by every event loop until the next reload compiles another.
 */
public final class BrokerTlsContext
{
    private static final String ENDPOINT_IDENTIFICATION_HTTPS = "HTTPS";
    private static final String YAML_PATH = "upstream.tls";

    private final SslContext sslContext;
    private final SslProvider provider;
    private final List<CertificateExpiry> certificates;

    private BrokerTlsContext(final SslContext sslContext, final SslProvider provider, final List<CertificateExpiry> certificates)
    {
        this.sslContext = sslContext;
        this.provider = provider;
        this.certificates = certificates;
    }

    /**
     * Reads the section's files and builds the client TLS context.
     *
     * @param config the {@code upstream.tls} section.
     * @return the context.
     * @throws IllegalArgumentException naming the YAML path and the file that does not load (unreadable, not PEM,
     *                                  wrong password, key not matching its certificate, certificate expired), or a
     *                                  provider that is not available or refuses the settings.
     */
    public static BrokerTlsContext compile(final BrokerTlsConfig config)
    {
        return compile(config, YAML_PATH);
    }

    /**
     * Reads a broker TLS section standing elsewhere ({@code mirror.tls}, {@code upstream.standby.tls}) and builds the
     * client TLS context.
     *
     * @param config   the section.
     * @param yamlPath its YAML path, named in errors.
     * @return the context.
     * @throws IllegalArgumentException naming the YAML path and the file that does not load, or a provider that is
     *                                  not available or refuses the settings.
     */
    public static BrokerTlsContext compile(final BrokerTlsConfig config, final String yamlPath)
    {
        final TlsMaterialLoader.KeyMaterial material = TlsMaterialLoader.keyMaterial(yamlPath, config.certificate(), config.privateKey(),
            config.privateKeyPassword(), config.privateKeyPasswordFile(), config.keyStore());
        final List<X509Certificate> trusted = TlsMaterialLoader.trustedCertificates(yamlPath, config.trustedCertificates(),
            config.trustStore());
        final SslProvider provider = TlsMaterialLoader.sslProvider(config.provider(), yamlPath);
        final SslContext sslContext;
        try
        {
            final SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(config.protocols())
                // Netty 4.2 verifies host names by default; null turns it off where the operator asked.
                .endpointIdentificationAlgorithm(config.hostnameVerification() ? ENDPOINT_IDENTIFICATION_HTTPS : null);
            // No trusted authorities named: the JDK's default trust (its cacerts), which the builder uses when given none.
            if (!trusted.isEmpty())
            {
                builder.trustManager(trusted);
            }
            if (material != null)
            {
                builder.keyManager(material.key(), material.chain());
            }
            if (!config.cipherSuites().isEmpty())
            {
                // As given: an unknown name must fail here, not quietly leave the connection with fewer suites.
                builder.ciphers(config.cipherSuites(), IdentityCipherSuiteFilter.INSTANCE);
            }
            sslContext = builder.build();
        }
        catch (final SSLException | IllegalArgumentException e)
        {
            throw TlsMaterialLoader.refused(yamlPath, provider, e);
        }
        TlsMaterialLoader.checkEngine(sslContext, yamlPath, provider);
        return new BrokerTlsContext(sslContext, provider, TlsMaterialLoader.expiries(material, trusted));
    }

    /**
     * Makes the TLS handler of one new broker channel: the broker's host is the server name indicated and the name
     * its certificate must carry.
     *
     * @param alloc                  the channel's allocator.
     * @param brokerHost             the host the proxy connects to, as configured or advertised (not resolved).
     * @param brokerPort             the broker's port.
     * @param handshakeTimeoutMillis how long the handshake may take before it fails.
     * @return the handler, to go first in the broker pipeline.
     */
    public SslHandler newHandler(final ByteBufAllocator alloc, final String brokerHost, final int brokerPort, final long handshakeTimeoutMillis)
    {
        final SslHandler handler = sslContext.newHandler(alloc, brokerHost, brokerPort);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    /**
     * Which implementation the handshakes run on.
     *
     * @return {@code OPENSSL} or {@code JDK}.
     */
    public SslProvider provider()
    {
        return provider;
    }

    /**
     * Every certificate loaded: the proxy's own client certificate chain (if any), then the trusted authorities
     * named (none where the JDK's default trust serves).
     *
     * @return the certificates, as their expiry metric names them.
     */
    public List<CertificateExpiry> certificates()
    {
        return certificates;
    }

    @Override
    public String toString()
    {
        return "BrokerTlsContext[provider=" + provider + "]";
    }
}
