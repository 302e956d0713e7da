package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS of one listener's clients, compiled from its {@code tls} section: the Netty {@link SslContext} every new
 * client channel's {@link SslHandler} comes from, the principal mapping of client certificates, and the certificates
 * loaded (for their expiry metric).
 *
 * <p>Compiled with the cluster snapshot ({@link #compile}), so at start and at every reload the files are read and
 * checked again; a connection takes the context of the snapshot current when it is accepted, and keeps it.
 * Immutable and shared by every event loop: {@link #newHandler} may be called from any of them.
 */
public final class ClientTlsContext
{
    private final String listenerName;
    private final SslContext sslContext;
    private final SslProvider provider;
    private final TlsServerConfig.ClientAuth clientAuth;
    private final SslPrincipalMapper principalMapper;
    private final List<CertificateExpiry> certificates;

    private ClientTlsContext(
        final String listenerName, final SslContext sslContext, final SslProvider provider, final TlsServerConfig.ClientAuth clientAuth,
        final SslPrincipalMapper principalMapper, final List<CertificateExpiry> certificates)
    {
        this.listenerName = listenerName;
        this.sslContext = sslContext;
        this.provider = provider;
        this.clientAuth = clientAuth;
        this.principalMapper = principalMapper;
        this.certificates = certificates;
    }

    /**
     * Reads the files a {@code tls} section names, checks them, and builds the context.
     *
     * @param tls          the section, validated.
     * @param yamlPath     its YAML path, for messages, e.g. {@code listener.tls}.
     * @param listenerName the listener's name, for metric labels.
     * @return the context.
     * @throws IllegalArgumentException naming the file and its YAML path, if a file cannot be read, a key does not
     *                                  match its certificate, a certificate has expired, or the provider refuses a
     *                                  setting (an unknown cipher suite, OpenSSL asked for where it does not load).
     */
    public static ClientTlsContext compile(final TlsServerConfig tls, final String yamlPath, final String listenerName)
    {
        final TlsMaterialLoader.KeyMaterial material = TlsMaterialLoader.keyMaterial(yamlPath, tls.certificate(), tls.privateKey(),
            tls.privateKeyPassword(), tls.privateKeyPasswordFile(), tls.keyStore());
        final List<X509Certificate> trusted = TlsMaterialLoader.trustedCertificates(yamlPath, tls.trustedCertificates(), tls.trustStore());
        final SslProvider provider = TlsMaterialLoader.sslProvider(tls.provider(), yamlPath);
        final SslContext context;
        try
        {
            final SslContextBuilder builder = SslContextBuilder
                .forServer(material.key(), material.chain())
                .sslProvider(provider)
                .protocols(tls.protocols())
                .clientAuth(clientAuth(tls.clientAuth()));
            if (!trusted.isEmpty())
            {
                builder.trustManager(trusted);
            }
            if (!tls.cipherSuites().isEmpty())
            {
                // As given: an unknown name must fail here, not quietly leave the client with fewer suites.
                builder.ciphers(tls.cipherSuites(), IdentityCipherSuiteFilter.INSTANCE);
            }
            context = builder.build();
        }
        catch (final SSLException | IllegalArgumentException e)
        {
            throw TlsMaterialLoader.refused(yamlPath, provider, e);
        }
        TlsMaterialLoader.checkEngine(context, yamlPath, provider);
        final List<CertificateExpiry> certificates = TlsMaterialLoader.expiries(material, trusted);
        return new ClientTlsContext(listenerName, context, provider, tls.clientAuth(),
            SslPrincipalMapper.fromRules(tls.principalMappingRules()), certificates);
    }

    /**
     * A handler for one new client channel: its engine's buffers come from the channel's allocator (the pool), so
     * the bytes it decrypts land in pool memory.
     *
     * @param alloc the channel's allocator.
     * @return the handler, to put first in the channel's pipeline.
     */
    public SslHandler newHandler(final ByteBufAllocator alloc)
    {
        return sslContext.newHandler(alloc);
    }

    /**
     * The principal a client certificate names, by the section's mapping rules ({@code ssl.principal.mapping.rules}
     * semantics: the RFC 2253 subject, rewritten by the first rule that matches).
     *
     * @param peer the client's certificate.
     * @return the principal name.
     * @throws IOException if no rule matches the subject.
     */
    public String principalName(final X509Certificate peer) throws IOException
    {
        return principalMapper.getName(peer.getSubjectX500Principal().getName());
    }

    /**
     * The Netty context, for a handler that picks it itself (an {@code SniHandler}'s mapping).
     *
     * @return the context.
     */
    public SslContext sslContext()
    {
        return sslContext;
    }

    /**
     * Whether clients present certificates.
     *
     * @return the section's {@code clientAuth}.
     */
    public TlsServerConfig.ClientAuth clientAuth()
    {
        return clientAuth;
    }

    /**
     * The listener this context serves, for metric labels.
     *
     * @return its name.
     */
    public String listenerName()
    {
        return listenerName;
    }

    /**
     * The TLS implementation serving the handshakes.
     *
     * @return {@code openssl} or {@code jdk}.
     */
    public String providerName()
    {
        return provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /**
     * Every certificate loaded: the proxy's chain, then the trusted authorities.
     *
     * @return the certificates, as their expiry metric names them.
     */
    public List<CertificateExpiry> certificates()
    {
        return certificates;
    }

    private static ClientAuth clientAuth(final TlsServerConfig.ClientAuth clientAuth)
    {
        return switch (clientAuth)
        {
            case NONE -> ClientAuth.NONE;
            case REQUESTED -> ClientAuth.OPTIONAL;
            case REQUIRED -> ClientAuth.REQUIRE;
        };
    }
}
