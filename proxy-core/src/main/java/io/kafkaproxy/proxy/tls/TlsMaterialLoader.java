package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.config.TlsProvider;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * Reads the key material and trusted authorities a {@code tls} section names, a listener's or the brokers', and
 * refuses material that cannot serve: an unreadable file, a key that does not match its certificate, a certificate
 * that has expired or is not valid yet, a provider that does not load or refuses the settings.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message starts with the YAML path of the key that
 * named the file and names the file, so that a refused reload says which file to fix. Both sides' sections share the
 * key names ({@code certificate}, {@code privateKey}, {@code privateKeyPassword}, {@code privateKeyPasswordFile},
 * {@code keyStore}, {@code trustedCertificates}, {@code trustStore}, {@code provider}), which the paths are built
 * from. Stateless; called off the event loops (start, reload).
 */
final class TlsMaterialLoader
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private TlsMaterialLoader()
    {
    }

    /**
     * A private key and the certificate chain it goes with.
     *
     * @param key   the private key.
     * @param chain the certificate chain, leaf first.
     */
    record KeyMaterial(PrivateKey key, List<X509Certificate> chain)
    {
    }

    /**
     * Reads and checks the key material of a section: a PEM pair or a key store.
     *
     * @param yamlPath               the section's YAML path, e.g. {@code listener.tls}.
     * @param certificate            the PEM chain file, or null.
     * @param privateKey             the PKCS#8 PEM key file, or null; given with {@code certificate}.
     * @param privateKeyPassword     the password of an encrypted key, or null.
     * @param privateKeyPasswordFile the file holding that password, or null.
     * @param keyStore               the key store instead of the PEM pair, or null.
     * @return the key and its chain; null if the section names neither a PEM pair nor a key store.
     * @throws IllegalArgumentException naming the file and its YAML path, if the material cannot serve.
     */
    static KeyMaterial keyMaterial(
        final String yamlPath, final Path certificate, final Path privateKey, final String privateKeyPassword,
        final Path privateKeyPasswordFile, final StoreConfig keyStore)
    {
        final KeyMaterial material;
        final String certificatePath;
        final Path certificateFile;
        final Path keyFile;
        if (keyStore != null)
        {
            certificatePath = yamlPath + ".keyStore";
            certificateFile = keyStore.path();
            keyFile = keyStore.path();
            material = fromKeyStore(keyStore, certificatePath);
        }
        else if (certificate != null)
        {
            certificatePath = yamlPath + ".certificate";
            certificateFile = certificate;
            keyFile = privateKey;
            final List<X509Certificate> chain = PemFiles.readCertificates(certificate, certificatePath);
            final char[] password = keyPassword(privateKeyPassword, privateKeyPasswordFile, yamlPath + ".privateKeyPasswordFile");
            material = new KeyMaterial(PemFiles.readPrivateKey(privateKey, password, yamlPath + ".privateKey"), chain);
        }
        else
        {
            return null;
        }
        checkValid(material.chain().get(0), certificatePath, certificateFile);
        checkMatches(material, certificatePath, certificateFile, keyFile);
        return material;
    }

    /**
     * Reads the trusted authorities of a section.
     *
     * @param yamlPath            the section's YAML path.
     * @param trustedCertificates the PEM file of the authorities, or null.
     * @param trustStore          the trust store instead, or null.
     * @return the certificates; empty when the section names neither.
     * @throws IllegalArgumentException naming the file and its YAML path, if it cannot be read or holds none.
     */
    static List<X509Certificate> trustedCertificates(final String yamlPath, final Path trustedCertificates, final StoreConfig trustStore)
    {
        if (trustedCertificates != null)
        {
            return PemFiles.readCertificates(trustedCertificates, yamlPath + ".trustedCertificates");
        }
        if (trustStore == null)
        {
            return List.of();
        }
        final String storePath = yamlPath + ".trustStore";
        final KeyStore store = load(trustStore, storePath);
        try
        {
            final List<X509Certificate> certificates = new ArrayList<>();
            for (final String alias : Collections.list(store.aliases()))
            {
                if (store.isCertificateEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate)
                {
                    certificates.add(certificate);
                }
            }
            if (certificates.isEmpty())
            {
                throw new IllegalArgumentException(storePath + ": no trusted certificate in store: file=" + trustStore.path());
            }
            return List.copyOf(certificates);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException(storePath + ": cannot read store: file=" + trustStore.path() + ", error=" + e, e);
        }
    }

    /**
     * Reads the CRLs of a section's {@code crlFile}: PEM or DER, one or several.
     *
     * @param yamlPath the section's YAML path.
     * @param crlFile  the file, or null.
     * @return the CRLs; empty when the section names no file.
     * @throws IllegalArgumentException naming the file and its YAML path, if it cannot be read, holds no CRL, or a
     *                                  CRL's next update has passed (a stale list would refuse every client).
     */
    static List<X509CRL> crls(final String yamlPath, final Path crlFile)
    {
        if (crlFile == null)
        {
            return List.of();
        }
        final String crlPath = yamlPath + ".crlFile";
        final byte[] bytes = PemFiles.read(crlFile, crlPath);
        final List<X509CRL> crls = new ArrayList<>();
        try
        {
            for (final CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes)))
            {
                crls.add((X509CRL)crl);
            }
        }
        catch (final CRLException | CertificateException | RuntimeException e)
        {
            throw new IllegalArgumentException(crlPath + ": not a PEM or DER CRL file: file=" + crlFile + ", error=" + e.getMessage(), e);
        }
        if (crls.isEmpty())
        {
            throw new IllegalArgumentException(crlPath + ": no CRL in file: file=" + crlFile);
        }
        final Date now = new Date();
        for (final X509CRL crl : crls)
        {
            if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now))
            {
                throw new IllegalArgumentException(crlPath + ": CRL expired (its next update has passed): file=" + crlFile +
                    ", issuer=" + crl.getIssuerX500Principal().getName() + ", nextUpdate=" + crl.getNextUpdate().toInstant());
            }
        }
        return List.copyOf(crls);
    }

    /**
     * The implementation a section's {@code provider} names, where it loads.
     *
     * @param provider the configured provider.
     * @param yamlPath the section's YAML path.
     * @return {@code OPENSSL} or {@code JDK}.
     * @throws IllegalArgumentException if OpenSSL is asked for and does not load on this machine.
     */
    static SslProvider sslProvider(final TlsProvider provider, final String yamlPath)
    {
        return switch (provider)
        {
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL ->
            {
                if (!OpenSsl.isAvailable())
                {
                    throw new IllegalArgumentException(yamlPath + ".provider: openssl does not load here: error=" +
                        OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    /**
     * Makes one engine of a built context and lets it go.
     *
     * <p>The JDK provider checks cipher suites and protocols only when an engine is made; that must fail here, at
     * start or reload, not on an event loop at the next connection.
     *
     * @param context  the context.
     * @param yamlPath the section's YAML path.
     * @param provider the provider the context was built on.
     * @throws IllegalArgumentException if the provider refuses the settings.
     */
    static void checkEngine(final SslContext context, final String yamlPath, final SslProvider provider)
    {
        SSLEngine engine = null;
        try
        {
            engine = context.newEngine(UnpooledByteBufAllocator.DEFAULT);
        }
        catch (final IllegalArgumentException e)
        {
            throw refused(yamlPath, provider, e);
        }
        finally
        {
            ReferenceCountUtil.release(engine);
        }
    }

    /**
     * The error of a provider that refuses a section's settings.
     *
     * @param yamlPath the section's YAML path.
     * @param provider the provider.
     * @param cause    what it said.
     * @return the exception, to throw.
     */
    static IllegalArgumentException refused(final String yamlPath, final SslProvider provider, final Exception cause)
    {
        return new IllegalArgumentException(yamlPath + ": the TLS provider refuses the settings: provider=" + provider +
            ", error=" + cause.getMessage(), cause);
    }

    /**
     * Every certificate loaded, as their expiry metric names them: the chain (if any), then the trusted authorities.
     *
     * @param material the key material, or null.
     * @param trusted  the trusted authorities.
     * @return the certificates.
     */
    static List<CertificateExpiry> expiries(final KeyMaterial material, final List<X509Certificate> trusted)
    {
        final List<CertificateExpiry> certificates = new ArrayList<>();
        if (material != null)
        {
            for (final X509Certificate certificate : material.chain())
            {
                certificates.add(expiry(certificate));
            }
        }
        for (final X509Certificate certificate : trusted)
        {
            certificates.add(expiry(certificate));
        }
        return List.copyOf(certificates);
    }

    private static CertificateExpiry expiry(final X509Certificate certificate)
    {
        return new CertificateExpiry(certificate.getSubjectX500Principal().getName(), certificate.getSerialNumber().toString(16),
            certificate.getNotAfter().toInstant().getEpochSecond());
    }

    private static char[] keyPassword(final String password, final Path passwordFile, final String passwordFilePath)
    {
        if (password != null)
        {
            return password.toCharArray();
        }
        if (passwordFile == null)
        {
            return null;
        }
        final String text = new String(PemFiles.read(passwordFile, passwordFilePath), StandardCharsets.UTF_8);
        // Files written with echo or an editor end in a line break that is no part of the password.
        final String fromFile = text.stripTrailing();
        if (fromFile.isEmpty())
        {
            throw new IllegalArgumentException(passwordFilePath + ": the file is empty: file=" + passwordFile);
        }
        return fromFile.toCharArray();
    }

    private static KeyMaterial fromKeyStore(final StoreConfig config, final String storePath)
    {
        final KeyStore store = load(config, storePath);
        try
        {
            for (final String alias : Collections.list(store.aliases()))
            {
                if (!store.isKeyEntry(alias))
                {
                    continue;
                }
                final Key key = store.getKey(alias, config.effectiveKeyPassword().toCharArray());
                final Certificate[] chain = store.getCertificateChain(alias);
                if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0)
                {
                    final List<X509Certificate> certificates = new ArrayList<>();
                    for (final Certificate certificate : chain)
                    {
                        certificates.add((X509Certificate)certificate);
                    }
                    return new KeyMaterial(privateKey, List.copyOf(certificates));
                }
            }
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException(storePath + ": cannot read the key (wrong keyPassword?): file=" + config.path() +
                ", error=" + e, e);
        }
        throw new IllegalArgumentException(storePath + ": no private key entry with a certificate chain in store: file=" + config.path());
    }

    private static KeyStore load(final StoreConfig config, final String storePath)
    {
        final byte[] bytes = PemFiles.read(config.path(), storePath + ".path");
        try
        {
            final KeyStore store = KeyStore.getInstance(config.type().name());
            store.load(new ByteArrayInputStream(bytes), config.password() == null ? null : config.password().toCharArray());
            return store;
        }
        catch (final IOException | GeneralSecurityException e)
        {
            throw new IllegalArgumentException(storePath + ": cannot load the " + config.type() + " store (wrong type or password?): file=" +
                config.path() + ", error=" + e.getMessage(), e);
        }
    }

    private static void checkValid(final X509Certificate certificate, final String yamlPath, final Path file)
    {
        try
        {
            certificate.checkValidity(new Date());
        }
        catch (final CertificateExpiredException e)
        {
            throw new IllegalArgumentException(yamlPath + ": certificate expired: file=" + file + ", subject=" +
                certificate.getSubjectX500Principal().getName() + ", notAfter=" + certificate.getNotAfter().toInstant(), e);
        }
        catch (final CertificateNotYetValidException e)
        {
            throw new IllegalArgumentException(yamlPath + ": certificate not valid yet: file=" + file + ", subject=" +
                certificate.getSubjectX500Principal().getName() + ", notBefore=" + certificate.getNotBefore().toInstant(), e);
        }
    }

    private static void checkMatches(final KeyMaterial material, final String yamlPath, final Path certificateFile, final Path keyFile)
    {
        final X509Certificate leaf = material.chain().get(0);
        final String algorithm = signatureAlgorithm(material.key());
        boolean matches;
        try
        {
            // Signing with the key and verifying with the certificate's public key is the one check that works for
            // every key type, whatever the provider's encodings.
            final byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(material.key());
            signer.update(challenge);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        }
        catch (final GeneralSecurityException e)
        {
            matches = false;
        }
        if (!matches)
        {
            throw new IllegalArgumentException(yamlPath + ": the private key does not match the certificate: file=" + certificateFile +
                ", keyFile=" + keyFile + ", subject=" + leaf.getSubjectX500Principal().getName());
        }
    }

    private static String signatureAlgorithm(final PrivateKey key)
    {
        return switch (key.getAlgorithm())
        {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm();
        };
    }
}
