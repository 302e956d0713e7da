package io.kafkaproxy.proxy.sasl;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A PLAIN user's salted password hash: PBKDF2 with HMAC-SHA-512 over the password, a random salt and an iteration
 * count, so that the users file never holds a password a reader could replay.
 *
 * @param salt       the random salt, 16 bytes when made here.
 * @param iterations the PBKDF2 iteration count.
 * @param hash       the derived key, 64 bytes.
 */
public record PlainPasswordHash(byte[] salt, int iterations, byte[] hash)
{
    /** The only algorithm the users file names today. */
    public static final String ALGORITHM = "PBKDF2WithHmacSHA512";
    /** Default iteration count for new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA512). */
    public static final int DEFAULT_ITERATIONS = 210_000;
    /** The fewest iterations a file may name. */
    public static final int MIN_ITERATIONS = 1_000;

    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 512;

    /**
     * Validates the hash.
     *
     * @throws IllegalArgumentException if a part is missing or the iteration count is too low.
     */
    public PlainPasswordHash
    {
        if (salt == null || salt.length == 0)
        {
            throw new IllegalArgumentException("salt: required");
        }
        if (hash == null || hash.length == 0)
        {
            throw new IllegalArgumentException("hash: required");
        }
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("iterations: at least " + MIN_ITERATIONS + ": " + iterations);
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /**
     * Hashes a password with a fresh salt.
     *
     * @param password   the password.
     * @param iterations the iteration count.
     * @param random     the salt's source.
     * @return the hash.
     */
    public static PlainPasswordHash of(final char[] password, final int iterations, final SecureRandom random)
    {
        final byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PlainPasswordHash(salt, iterations, derive(password, salt, iterations));
    }

    /**
     * Checks a password against the hash, in time that does not depend on where they differ.
     *
     * @param password the password a client sent.
     * @return true if it is the user's password.
     */
    public boolean matches(final char[] password)
    {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    private static byte[] derive(final char[] password, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try
        {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException e)
        {
            // Every Java 17 runtime ships PBKDF2WithHmacSHA512.
            throw new IllegalStateException("cannot derive a " + ALGORITHM + " key: " + e, e);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof PlainPasswordHash that && iterations == that.iterations &&
            Arrays.equals(salt, that.salt) && Arrays.equals(hash, that.hash);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(hash) + iterations;
    }

    @Override
    public String toString()
    {
        return "PlainPasswordHash[iterations=" + iterations + ", salt and hash redacted]";
    }
}
