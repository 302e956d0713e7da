package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;

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
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;

/**
 * Reads the key material and trusted authorities a {@code tls} section names, and refuses material that cannot
 * serve: an unreadable file, a key that does not match its certificate, a certificate that has expired or is not
 * valid yet.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message starts with the YAML path of the key that
 * named the file and names the file, so that a refused reload says which file to fix. Stateless; called off the
 * event loops (start, reload).
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
     * Reads and checks the key material of a section.
     *
     * @param tls      the section.
     * @param yamlPath the section's YAML path, e.g. {@code listener.tls}.
     * @return the key and its chain.
     * @throws IllegalArgumentException naming the file and its YAML path, if the material cannot serve.
     */
    static KeyMaterial keyMaterial(final TlsServerConfig tls, final String yamlPath)
    {
        final KeyMaterial material;
        final String certificatePath;
        final Path certificateFile;
        if (tls.keyStore() != null)
        {
            certificatePath = yamlPath + ".keyStore";
            certificateFile = tls.keyStore().path();
            material = fromKeyStore(tls.keyStore(), certificatePath);
        }
        else
        {
            certificatePath = yamlPath + ".certificate";
            certificateFile = tls.certificate();
            final List<X509Certificate> chain = PemFiles.readCertificates(tls.certificate(), certificatePath);
            final PrivateKey key = PemFiles.readPrivateKey(tls.privateKey(), keyPassword(tls, yamlPath), yamlPath + ".privateKey");
            material = new KeyMaterial(key, chain);
        }
        checkValid(material.chain().get(0), certificatePath, certificateFile);
        checkMatches(material, certificatePath, certificateFile, tls.keyStore() != null ? certificateFile : tls.privateKey());
        return material;
    }

    /**
     * Reads the trusted authorities of a section.
     *
     * @param tls      the section.
     * @param yamlPath the section's YAML path.
     * @return the certificates; empty when the section names none.
     * @throws IllegalArgumentException naming the file and its YAML path, if it cannot be read or holds none.
     */
    static List<X509Certificate> trustedCertificates(final TlsServerConfig tls, final String yamlPath)
    {
        if (tls.trustedCertificates() != null)
        {
            return PemFiles.readCertificates(tls.trustedCertificates(), yamlPath + ".trustedCertificates");
        }
        if (tls.trustStore() == null)
        {
            return List.of();
        }
        final String storePath = yamlPath + ".trustStore";
        final KeyStore store = load(tls.trustStore(), storePath);
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
                throw new IllegalArgumentException(storePath + ": no trusted certificate in store: file=" + tls.trustStore().path());
            }
            return List.copyOf(certificates);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException(storePath + ": cannot read store: file=" + tls.trustStore().path() + ", error=" + e, e);
        }
    }

    private static char[] keyPassword(final TlsServerConfig tls, final String yamlPath)
    {
        if (tls.privateKeyPassword() != null)
        {
            return tls.privateKeyPassword().toCharArray();
        }
        if (tls.privateKeyPasswordFile() == null)
        {
            return null;
        }
        final String text = new String(PemFiles.read(tls.privateKeyPasswordFile(), yamlPath + ".privateKeyPasswordFile"),
            StandardCharsets.UTF_8);
        // Files written with echo or an editor end in a line break that is no part of the password.
        return text.stripTrailing().toCharArray();
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
            store.load(new ByteArrayInputStream(bytes), config.password().toCharArray());
            return store;
        }
        catch (final IOException | GeneralSecurityException e)
        {
            throw new IllegalArgumentException(storePath + ": cannot open store (wrong type or password?): file=" + config.path() +
                ", type=" + config.type() + ", error=" + e.getMessage(), e);
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
