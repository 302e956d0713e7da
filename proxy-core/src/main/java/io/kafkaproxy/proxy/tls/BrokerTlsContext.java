package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.BrokerTlsProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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

    private final SslContext sslContext;
    private final SslProvider provider;

    private BrokerTlsContext(final SslContext sslContext, final SslProvider provider)
    {
        this.sslContext = sslContext;
        this.provider = provider;
    }

    /**
     * Reads the section's files and builds the client TLS context.
     *
     * @param config the {@code upstream.tls} section.
     * @return the context.
     * @throws IllegalArgumentException naming the YAML path and the file that does not load (unreadable, not PEM,
     *                                  wrong password, certificate expired), or a provider that is not available.
     */
    public static BrokerTlsContext compile(final BrokerTlsConfig config)
    {
        final SslProvider provider = provider(config.provider());
        final SslContextBuilder builder = SslContextBuilder.forClient()
            .sslProvider(provider)
            .protocols(config.protocols())
            // Netty 4.2 verifies host names by default; null turns it off where the operator asked.
            .endpointIdentificationAlgorithm(config.hostnameVerification() ? ENDPOINT_IDENTIFICATION_HTTPS : null);
        if (!config.cipherSuites().isEmpty())
        {
            builder.ciphers(config.cipherSuites());
        }
        trust(builder, config);
        clientCertificate(builder, config);
        final SslContext sslContext;
        try
        {
            sslContext = builder.build();
        }
        catch (final SSLException | RuntimeException e)
        {
            throw new IllegalArgumentException("upstream.tls: cannot build the TLS context: provider=" + provider +
                ", error=" + e.getMessage(), e);
        }
        checkAnEngineStarts(sslContext, config, provider);
        return new BrokerTlsContext(sslContext, provider);
    }

    private static void checkAnEngineStarts(final SslContext sslContext, final BrokerTlsConfig config, final SslProvider provider)
    {
        // Cipher suites and protocols the provider does not know are applied to each engine, so they would
        // otherwise fail every connection instead of the reload.
        final SSLEngine engine;
        try
        {
            engine = sslContext.newEngine(ByteBufAllocator.DEFAULT);
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException("upstream.tls: the protocols or cipher suites do not apply: provider=" + provider +
                ", error=" + e.getMessage(), e);
        }
        try
        {
            if (!config.cipherSuites().isEmpty() && engine.getEnabledCipherSuites().length == 0)
            {
                throw new IllegalArgumentException("upstream.tls.cipherSuites: none is supported by the provider: provider=" +
                    provider + ", cipherSuites=" + config.cipherSuites());
            }
        }
        finally
        {
            ReferenceCountUtil.release(engine);
        }
    }

    private static SslProvider provider(final BrokerTlsProvider configured)
    {
        return switch (configured)
        {
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL ->
            {
                if (!OpenSsl.isAvailable())
                {
                    throw new IllegalArgumentException("upstream.tls.provider: openssl does not load on this machine: " +
                        OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    private static void trust(final SslContextBuilder builder, final BrokerTlsConfig config)
    {
        if (config.trustedCertificates() != null)
        {
            builder.trustManager(BrokerTlsMaterialLoader.readCertificates("upstream.tls.trustedCertificates", config.trustedCertificates()));
        }
        else if (config.trustStore() != null)
        {
            final KeyStore trustStore = BrokerTlsMaterialLoader.loadStore("upstream.tls.trustStore", config.trustStore());
            try
            {
                final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trustStore);
                builder.trustManager(factory);
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalArgumentException("upstream.tls.trustStore: cannot use the store: file=" +
                    config.trustStore().path() + ", error=" + e.getMessage(), e);
            }
        }
        // Neither: the JDK's default trust (its cacerts), which the builder uses when given no trust manager.
    }

    private static void clientCertificate(final SslContextBuilder builder, final BrokerTlsConfig config)
    {
        if (config.certificate() != null)
        {
            final List<X509Certificate> chain = BrokerTlsMaterialLoader.readCertificates("upstream.tls.certificate", config.certificate());
            BrokerTlsMaterialLoader.checkValidNow("upstream.tls.certificate", config.certificate(), chain.get(0));
            final String keyPassword = config.privateKeyPasswordFile() != null ?
                BrokerTlsMaterialLoader.readPasswordFile("upstream.tls.privateKeyPasswordFile", config.privateKeyPasswordFile()) :
                config.privateKeyPassword();
            try
            {
                builder.keyManager(config.certificate().toFile(), config.privateKey().toFile(), keyPassword);
            }
            catch (final IllegalArgumentException e)
            {
                // Netty's message names the file; the certificate chain was read above, so it is the key.
                throw new IllegalArgumentException("upstream.tls.privateKey: not a PKCS#8 PEM key, or the wrong password: file=" +
                    config.privateKey() + ", error=" + e.getMessage(), e);
            }
        }
        else if (config.keyStore() != null)
        {
            final KeyStore keyStore = BrokerTlsMaterialLoader.loadStore("upstream.tls.keyStore", config.keyStore());
            BrokerTlsMaterialLoader.checkKeyEntries("upstream.tls.keyStore", config.keyStore(), keyStore);
            final String keyPassword = config.keyStore().keyPassword() != null ? config.keyStore().keyPassword() : config.keyStore().password();
            try
            {
                final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore, keyPassword == null ? null : keyPassword.toCharArray());
                builder.keyManager(factory);
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalArgumentException("upstream.tls.keyStore.keyPassword: cannot read the key: file=" +
                    config.keyStore().path() + ", error=" + e.getMessage(), e);
            }
        }
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

    @Override
    public String toString()
    {
        return "BrokerTlsContext[provider=" + provider + "]";
    }
}
