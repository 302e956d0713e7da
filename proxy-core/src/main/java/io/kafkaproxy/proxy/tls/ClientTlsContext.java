package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

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
     *                                  match its certificate, a certificate or CRL has expired, or the provider refuses a
     *                                  setting (an unknown cipher suite, OpenSSL asked for where it does not load).
     */
    public static ClientTlsContext compile(final TlsServerConfig tls, final String yamlPath, final String listenerName)
    {
        return compile(tls, yamlPath, listenerName, List.of());
    }

    /**
     * Reads the files a {@code tls} section names, checks them, and builds a context that negotiates the application
     * protocol by ALPN (the HTTP gateway's {@code h2} and {@code http/1.1}).
     *
     * @param tls                  the section, validated.
     * @param yamlPath             its YAML path, for messages, e.g. {@code http.tls}.
     * @param listenerName         the listener's name, for metric labels.
     * @param applicationProtocols the ALPN protocols offered, most preferred first; empty for no ALPN.
     * @return the context.
     * @throws IllegalArgumentException as {@link #compile(TlsServerConfig, String, String)} does.
     */
    public static ClientTlsContext compile(
        final TlsServerConfig tls, final String yamlPath, final String listenerName, final List<String> applicationProtocols)
    {
        final TlsMaterialLoader.KeyMaterial material = TlsMaterialLoader.keyMaterial(yamlPath, tls.certificate(), tls.privateKey(),
            tls.privateKeyPassword(), tls.privateKeyPasswordFile(), tls.keyStore());
        final List<X509Certificate> trusted = TlsMaterialLoader.trustedCertificates(yamlPath, tls.trustedCertificates(), tls.trustStore());
        final List<X509CRL> crls = TlsMaterialLoader.crls(yamlPath, tls.crlFile());
        final SslProvider provider = TlsMaterialLoader.sslProvider(tls.provider(), yamlPath);
        final SslContext context;
        try
        {
            final SslContextBuilder builder = SslContextBuilder
                .forServer(material.key(), material.chain())
                .sslProvider(provider)
                .protocols(tls.protocols())
                .clientAuth(clientAuth(tls.clientAuth()));
            if (!crls.isEmpty())
            {
                builder.trustManager(revocationCheckingTrustManager(trusted, crls, yamlPath));
            }
            else if (!trusted.isEmpty())
            {
                builder.trustManager(trusted);
            }
            if (!applicationProtocols.isEmpty())
            {
                // A client offering none of them goes on without ALPN (the HTTP gateway then speaks HTTP/1.1).
                builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, applicationProtocols));
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

    /**
     * A PKIX trust manager checking client certificates against the trusted authorities and, for revocation, the
     * CRLs: a certificate a CRL lists is refused, and so is one whose issuer has no current CRL in the file (the
     * JDK's PKIX checker cannot tell "not revoked" without one). Netty hands it to either provider, OpenSSL
     * included, which calls it for the client's chain. No OCSP and no fetching: the JDK's checker only goes to the
     * network when the {@code ocsp.enable} or {@code com.sun.security.enableCRLDP} properties say so (off by default).
     */
    private static TrustManagerFactory revocationCheckingTrustManager(
        final List<X509Certificate> trusted, final List<X509CRL> crls, final String yamlPath)
    {
        try
        {
            final Set<TrustAnchor> anchors = new HashSet<>();
            for (final X509Certificate certificate : trusted)
            {
                anchors.add(new TrustAnchor(certificate, null));
            }
            final PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            parameters.setRevocationEnabled(true);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            final TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(parameters));
            return factory;
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException(yamlPath + ".crlFile: cannot build the revocation checking trust manager: error=" + e, e);
        }
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
