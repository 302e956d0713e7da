package io.kafkaproxy.proxy.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.openssl.PKCS8Generator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made by the tests, never committed: a certificate authority, and server or client certificates it
 * signs (or that sign themselves), written as PEM files, PKCS#12 or JKS key stores, in a directory of the test's.
 *
 * <p>Keys are EC P-256, which both the JDK and OpenSSL providers handle and which are quick to generate. Serial
 * numbers rise from the current time, so a certificate made later (a rotation) has a larger serial.
 */
public final class TestCertificates
{
    /** The password of every key store and encrypted key these helpers write. */
    public static final String PASSWORD = "test-password";

    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates()
    {
    }

    /**
     * A certificate and its private key, with the chain up to (not including) the trusted root.
     *
     * @param certificate the certificate.
     * @param key         its private key.
     * @param chain       the certificate first, then its issuers short of the root.
     */
    public record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain)
    {
        /**
         * Writes the chain as PEM.
         *
         * @param file where.
         * @return the file.
         */
        public Path writeCertificatePem(final Path file)
        {
            return writeString(file, pem(chain.toArray()));
        }

        /**
         * Writes the key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}).
         *
         * @param file where.
         * @return the file.
         */
        public Path writeKeyPem(final Path file)
        {
            try
            {
                // Through the PKCS#8 generator: the writer alone gives an EC key its SEC1 form (BEGIN EC PRIVATE KEY).
                return writeString(file, pem(new JcaPKCS8Generator(key, null)));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Writes the key as encrypted PKCS#8 PEM ({@code BEGIN ENCRYPTED PRIVATE KEY}), under {@link #PASSWORD}.
         *
         * @param file where.
         * @return the file.
         */
        public Path writeEncryptedKeyPem(final Path file)
        {
            try
            {
                final OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(PROVIDER).setRandom(RANDOM).setPassword(PASSWORD.toCharArray()).build();
                return writeString(file, pem(new JcaPKCS8Generator(key, encryptor)));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Writes the key and chain as a key store under alias {@code key}, store and key password {@link #PASSWORD}.
         *
         * @param file where.
         * @param type {@code PKCS12} or {@code JKS}.
         * @return the file.
         */
        public Path writeKeyStore(final Path file, final String type)
        {
            try
            {
                final KeyStore store = KeyStore.getInstance(type);
                store.load(null, null);
                store.setKeyEntry("key", key, PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
                return writeStore(file, store);
            }
            catch (final GeneralSecurityException | IOException e)
            {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Writes, as PEM, a CRL this authority signs that revokes the given certificates, issued now and next
         * updated a day ahead.
         *
         * @param file    where.
         * @param revoked the certificates revoked (may be none: a CRL revoking nothing).
         * @return the file.
         */
        public Path writeCrl(final Path file, final X509Certificate... revoked)
        {
            final Instant now = Instant.now();
            return writeString(file, pem(crl(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(1)), revoked)));
        }

        /**
         * Writes, as PEM, a CRL this authority signs, with the given update times.
         *
         * @param file       where.
         * @param thisUpdate when it was issued.
         * @param nextUpdate when the next is due (in the past: an expired CRL).
         * @param revoked    the certificates revoked.
         * @return the file.
         */
        public Path writeCrl(final Path file, final Instant thisUpdate, final Instant nextUpdate, final X509Certificate... revoked)
        {
            return writeString(file, pem(crl(thisUpdate, nextUpdate, revoked)));
        }

        /**
         * A CRL this authority signs.
         *
         * @param thisUpdate when it was issued.
         * @param nextUpdate when the next is due.
         * @param revoked    the certificates revoked.
         * @return the CRL.
         */
        public X509CRL crl(final Instant thisUpdate, final Instant nextUpdate, final X509Certificate... revoked)
        {
            try
            {
                final X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate.getSubjectX500Principal(), Date.from(thisUpdate));
                builder.setNextUpdate(Date.from(nextUpdate));
                for (final X509Certificate certificate : revoked)
                {
                    builder.addCRLEntry(certificate.getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
                }
                builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(SERIALS.incrementAndGet())));
                final ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(PROVIDER).build(key);
                return new JcaX509CRLConverter().setProvider(PROVIDER).getCRL(builder.build(signer));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException("cannot make a test CRL for " + subject(), e);
            }
        }

        /**
         * This certificate's subject, as Kafka's principal mapping sees it (RFC 2253).
         *
         * @return the distinguished name.
         */
        public String subject()
        {
            return certificate.getSubjectX500Principal().getName();
        }
    }

    /**
     * A self-signed certificate authority valid from an hour ago for a day.
     *
     * @param commonName its CN.
     * @return the authority.
     */
    public static Issued authority(final String commonName)
    {
        final KeyPair keys = keyPair();
        final X500Name name = new X500Name("CN=" + commonName + ",O=kafka-proxy tests");
        final Instant now = Instant.now();
        final X509Certificate certificate = build(name, keys, name, keys.getPrivate(), now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)), true, List.of(), null);
        return new Issued(certificate, keys.getPrivate(), List.of(certificate));
    }

    /**
     * A server certificate for host names and addresses, signed by an authority, valid from an hour ago for a day.
     *
     * @param issuer the authority.
     * @param subject the distinguished name, e.g. {@code CN=kafka-proxy}.
     * @param hostNames DNS names and IP addresses (numeric strings become IP SANs); wildcards allowed.
     * @return the certificate.
     */
    public static Issued server(final Issued issuer, final String subject, final String... hostNames)
    {
        final Instant now = Instant.now();
        return issue(issuer, subject, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), List.of(hostNames),
            KeyPurposeId.id_kp_serverAuth);
    }

    /**
     * A client certificate for a subject, signed by an authority, valid from an hour ago for a day.
     *
     * @param issuer  the authority.
     * @param subject the distinguished name, e.g. {@code CN=alice,OU=payments,O=example}.
     * @return the certificate.
     */
    public static Issued client(final Issued issuer, final String subject)
    {
        final Instant now = Instant.now();
        return issue(issuer, subject, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), List.of(),
            KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * A certificate for host names and clients alike, with a validity of the caller's choosing (e.g. one already
     * expired).
     *
     * @param issuer    the authority.
     * @param subject   the distinguished name.
     * @param notBefore start of validity.
     * @param notAfter  end of validity.
     * @param hostNames DNS names and IP addresses; may be empty.
     * @return the certificate.
     */
    public static Issued issue(final Issued issuer, final String subject, final Instant notBefore, final Instant notAfter,
        final List<String> hostNames)
    {
        return issue(issuer, subject, notBefore, notAfter, hostNames, KeyPurposeId.id_kp_serverAuth,
            KeyPurposeId.id_kp_clientAuth);
    }

    private static Issued issue(final Issued issuer, final String subject, final Instant notBefore, final Instant notAfter,
        final List<String> hostNames, final KeyPurposeId... purposes)
    {
        final KeyPair keys = keyPair();
        final X509Certificate certificate = build(new X500Name(subject), keys,
            X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), issuer.key(),
            notBefore, notAfter, false, hostNames, new ExtendedKeyUsage(purposes));
        final List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        // The root stays out of the chain, as servers send it; intermediates would follow here.
        chain.addAll(issuer.chain().subList(1, issuer.chain().size()));
        return new Issued(certificate, keys.getPrivate(), List.copyOf(chain));
    }

    /**
     * Writes certificates as one PEM bundle (a trust file: CA certificates a peer is checked against).
     *
     * @param file         where.
     * @param certificates the certificates.
     * @return the file.
     */
    public static Path writeTrustPem(final Path file, final X509Certificate... certificates)
    {
        return writeString(file, pem((Object[])certificates));
    }

    /**
     * Writes certificates as a trust store of the given type, password {@link #PASSWORD}.
     *
     * @param file         where.
     * @param type         {@code PKCS12} or {@code JKS}.
     * @param certificates the trusted certificates.
     * @return the file.
     */
    public static Path writeTrustStore(final Path file, final String type, final X509Certificate... certificates)
    {
        try
        {
            final KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++)
            {
                store.setCertificateEntry("ca-" + i, certificates[i]);
            }
            return writeStore(file, store);
        }
        catch (final GeneralSecurityException | IOException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(final X500Name subject, final KeyPair keys, final X500Name issuer,
        final PrivateKey issuerKey, final Instant notBefore, final Instant notAfter, final boolean authority,
        final List<String> hostNames, final ExtendedKeyUsage extendedKeyUsage)
    {
        try
        {
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                keys.getPublic());
            final JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority)
            {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            else
            {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                builder.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage);
            }
            if (!hostNames.isEmpty())
            {
                final GeneralName[] names = hostNames.stream().map(TestCertificates::generalName).toArray(GeneralName[]::new);
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            final ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(PROVIDER).build(issuerKey);
            return new JcaX509CertificateConverter().setProvider(PROVIDER).getCertificate(builder.build(signer));
        }
        catch (final Exception e)
        {
            throw new IllegalStateException("cannot make a test certificate for " + subject, e);
        }
    }

    private static GeneralName generalName(final String hostName)
    {
        final boolean address = hostName.chars().allMatch(c -> Character.isDigit(c) || c == '.') || hostName.contains(":");
        return new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, hostName);
    }

    private static KeyPair keyPair()
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, RANDOM);
            return generator.generateKeyPair();
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(final Object... objects)
    {
        final StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text))
        {
            for (final Object object : objects)
            {
                writer.writeObject(object);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static Path writeString(final Path file, final String text)
    {
        try
        {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // Written beside and moved over, as an operator's rotation would: a reader never sees half a file.
            final Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".tmp-", ".pem");
            Files.writeString(temporary, text, StandardCharsets.US_ASCII);
            return Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeStore(final Path file, final KeyStore store)
    {
        try
        {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file))
            {
                store.store(out, PASSWORD.toCharArray());
            }
            return file;
        }
        catch (final IOException | GeneralSecurityException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The loopback address as a SAN string, for certificates that clients reach by address.
     *
     * @return {@code 127.0.0.1}.
     */
    public static String loopback()
    {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }
}
