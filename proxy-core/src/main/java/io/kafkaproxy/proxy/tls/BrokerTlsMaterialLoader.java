package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.BrokerTlsStoreConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;

/**
 * Reads the files of {@code upstream.tls} (PEM certificates, key stores, password files), failing with an
 * {@link IllegalArgumentException} that names the YAML path and the file.
 *
 * <p>The broker side's own loader, kept apart from the client listeners' while both sides are built; the two are
 * to be merged. Stateless; called off the event loops, when a snapshot is compiled.
 */
final class BrokerTlsMaterialLoader
{
    private BrokerTlsMaterialLoader()
    {
    }

    /**
     * Reads every certificate of a PEM (or DER) file.
     *
     * @param yamlPath the key that names the file, for the error.
     * @param file     the file.
     * @return the certificates, in the file's order; at least one.
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate.
     */
    static List<X509Certificate> readCertificates(final String yamlPath, final Path file)
    {
        try (InputStream in = Files.newInputStream(file))
        {
            final Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            final List<X509Certificate> certificates = new ArrayList<>(read.size());
            for (final Certificate certificate : read)
            {
                certificates.add((X509Certificate)certificate);
            }
            if (certificates.isEmpty())
            {
                throw new IllegalArgumentException(yamlPath + ": no certificate in the file: file=" + file);
            }
            return certificates;
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(yamlPath + ": no such file: file=" + file, e);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot read: file=" + file + ", error=" + e, e);
        }
        catch (final CertificateException e)
        {
            throw new IllegalArgumentException(yamlPath + ": not a PEM certificate file: file=" + file + ", error=" + e.getMessage(), e);
        }
    }

    /**
     * Checks that a certificate the proxy presents is valid now.
     *
     * @param yamlPath    the key that names its file, for the error.
     * @param file        its file.
     * @param certificate the certificate.
     * @throws IllegalArgumentException if it has expired or is not valid yet.
     */
    static void checkValidNow(final String yamlPath, final Path file, final X509Certificate certificate)
    {
        try
        {
            certificate.checkValidity();
        }
        catch (final CertificateExpiredException | CertificateNotYetValidException e)
        {
            throw new IllegalArgumentException(yamlPath + ": certificate not valid now: file=" + file + ", subject=" +
                certificate.getSubjectX500Principal().getName() + ", notBefore=" + certificate.getNotBefore().toInstant() +
                ", notAfter=" + certificate.getNotAfter().toInstant(), e);
        }
    }

    /**
     * Loads a key store or trust store.
     *
     * @param yamlPath the key of the store's section, for the error.
     * @param store    the store's settings.
     * @return the loaded store.
     * @throws IllegalArgumentException if the file cannot be read, or the password or type is wrong.
     */
    static KeyStore loadStore(final String yamlPath, final BrokerTlsStoreConfig store)
    {
        try (InputStream in = Files.newInputStream(store.path()))
        {
            final KeyStore keyStore = KeyStore.getInstance(store.type());
            keyStore.load(in, store.password() == null ? null : store.password().toCharArray());
            return keyStore;
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(yamlPath + ".path: no such file: file=" + store.path(), e);
        }
        catch (final IOException | GeneralSecurityException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot load the " + store.type() + " store (wrong password or type, or " +
                "not a store): file=" + store.path() + ", error=" + e.getMessage(), e);
        }
    }

    /**
     * Checks that a key store holds a key, and that the certificate of each key is valid now.
     *
     * @param yamlPath the key of the store's section, for the error.
     * @param store    the store's settings.
     * @param keyStore the loaded store.
     * @throws IllegalArgumentException if the store holds no key or an invalid certificate.
     */
    static void checkKeyEntries(final String yamlPath, final BrokerTlsStoreConfig store, final KeyStore keyStore)
    {
        try
        {
            int keys = 0;
            final Enumeration<String> aliases = keyStore.aliases();
            while (aliases.hasMoreElements())
            {
                final String alias = aliases.nextElement();
                if (keyStore.isKeyEntry(alias))
                {
                    keys++;
                    final Certificate certificate = keyStore.getCertificate(alias);
                    if (certificate instanceof X509Certificate)
                    {
                        checkValidNow(yamlPath, store.path(), (X509Certificate)certificate);
                    }
                }
            }
            if (keys == 0)
            {
                throw new IllegalArgumentException(yamlPath + ": the store holds no private key: file=" + store.path());
            }
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot read the store: file=" + store.path() + ", error=" + e.getMessage(), e);
        }
    }

    /**
     * Reads a password file's first line.
     *
     * @param yamlPath the key that names the file, for the error.
     * @param file     the file.
     * @return the password, without its line end.
     * @throws IllegalArgumentException if the file cannot be read or is empty.
     */
    static String readPasswordFile(final String yamlPath, final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty())
            {
                throw new IllegalArgumentException(yamlPath + ": the file is empty: file=" + file);
            }
            return lines.get(0);
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(yamlPath + ": no such file: file=" + file, e);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot read: file=" + file + ", error=" + e, e);
        }
    }
}
