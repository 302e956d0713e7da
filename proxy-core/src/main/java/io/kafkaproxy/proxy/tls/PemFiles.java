package io.kafkaproxy.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads PEM files: certificate chains and bundles, and PKCS#8 private keys ({@code BEGIN PRIVATE KEY}, or
 * {@code BEGIN ENCRYPTED PRIVATE KEY} under a password).
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message starts with the YAML path of the key that
 * named the file, and names the file. Stateless; called off the event loops (start, reload).
 */
final class PemFiles
{
    private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519", "Ed448", "DSA"};

    private PemFiles()
    {
    }

    /**
     * Reads every certificate of a PEM file, in file order.
     *
     * @param file     the file.
     * @param yamlPath the key that named it.
     * @return the certificates, at least one.
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate.
     */
    static List<X509Certificate> readCertificates(final Path file, final String yamlPath)
    {
        final byte[] bytes = read(file, yamlPath);
        try (InputStream in = new ByteArrayInputStream(bytes))
        {
            final List<X509Certificate> certificates = new ArrayList<>();
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                certificates.add((X509Certificate)certificate);
            }
            if (certificates.isEmpty())
            {
                throw new IllegalArgumentException(yamlPath + ": no certificate in file: file=" + file);
            }
            return List.copyOf(certificates);
        }
        catch (final CertificateException | IOException e)
        {
            throw new IllegalArgumentException(yamlPath + ": not a PEM certificate file: file=" + file + ", error=" + e.getMessage(), e);
        }
    }

    /**
     * Reads the PKCS#8 private key of a PEM file.
     *
     * @param file     the file.
     * @param password the password of an encrypted key, or null.
     * @param yamlPath the key that named it.
     * @return the key.
     * @throws IllegalArgumentException if the file cannot be read, holds no PKCS#8 key, or the password is missing
     *                                  or wrong.
     */
    static PrivateKey readPrivateKey(final Path file, final char[] password, final String yamlPath)
    {
        final String text = new String(read(file, yamlPath), StandardCharsets.US_ASCII);
        final byte[] encrypted = block(text, "ENCRYPTED PRIVATE KEY");
        if (encrypted != null)
        {
            if (password == null)
            {
                throw new IllegalArgumentException(yamlPath + ": the key is encrypted and no password is given " +
                    "(privateKeyPassword or privateKeyPasswordFile): file=" + file);
            }
            return parseKey(decrypt(encrypted, password, file, yamlPath), file, yamlPath);
        }
        final byte[] plain = block(text, "PRIVATE KEY");
        if (plain == null)
        {
            throw new IllegalArgumentException(yamlPath + ": no PKCS#8 private key in file (BEGIN PRIVATE KEY or BEGIN " +
                "ENCRYPTED PRIVATE KEY; convert others with openssl pkcs8 -topk8): file=" + file);
        }
        return parseKey(new PKCS8EncodedKeySpec(plain), file, yamlPath);
    }

    /**
     * Reads a whole small file.
     *
     * @param file     the file.
     * @param yamlPath the key that named it.
     * @return its bytes.
     * @throws IllegalArgumentException if it cannot be read.
     */
    static byte[] read(final Path file, final String yamlPath)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(yamlPath + ": no such file: file=" + file, e);
        }
        catch (final IOException | SecurityException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot read file: file=" + file + ", error=" + e, e);
        }
    }

    private static byte[] block(final String text, final String label)
    {
        final String begin = "-----BEGIN " + label + "-----";
        final int start = text.indexOf(begin);
        if (start < 0)
        {
            return null;
        }
        final int end = text.indexOf("-----END " + label + "-----", start);
        if (end < 0)
        {
            return null;
        }
        return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
    }

    private static PKCS8EncodedKeySpec decrypt(final byte[] encrypted, final char[] password, final Path file, final String yamlPath)
    {
        try
        {
            final EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(encrypted);
            // PBES2 (what openssl pkcs8 -v2 writes) names its real scheme only in the parameters.
            final String algorithm = "PBES2".equals(info.getAlgName()) || "1.2.840.113549.1.5.13".equals(info.getAlgName()) ?
                info.getAlgParameters().toString() : info.getAlgName();
            final SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
            final Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password)), info.getAlgParameters());
            return info.getKeySpec(cipher);
        }
        catch (final IOException | GeneralSecurityException e)
        {
            throw new IllegalArgumentException(yamlPath + ": cannot decrypt the private key (wrong password?): file=" + file +
                ", error=" + e.getMessage(), e);
        }
    }

    private static PrivateKey parseKey(final PKCS8EncodedKeySpec spec, final Path file, final String yamlPath)
    {
        for (final String algorithm : KEY_ALGORITHMS)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            }
            catch (final InvalidKeySpecException | java.security.NoSuchAlgorithmException e)
            {
                // Not this algorithm: PKCS#8 names it inside, and each factory only accepts its own.
            }
        }
        throw new IllegalArgumentException(yamlPath + ": unsupported private key (EC, RSA, EdDSA or DSA expected): file=" + file);
    }
}
