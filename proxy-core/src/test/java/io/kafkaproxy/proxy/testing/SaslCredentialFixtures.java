package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.sasl.PlainPasswordHash;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Writes the credential files of {@code listener.sasl} for tests: PLAIN users with salted hashes and SCRAM credentials
 * for both SCRAM mechanisms, in the formats the README documents. Iteration counts are the lowest allowed, so logins
 * stay fast.
 */
public final class SaslCredentialFixtures
{
    /** The PBKDF2 iterations of test users. */
    public static final int PLAIN_ITERATIONS = PlainPasswordHash.MIN_ITERATIONS;

    private SaslCredentialFixtures()
    {
    }

    /**
     * Writes a PLAIN users file.
     *
     * @param file      where.
     * @param passwords each user's password.
     * @return the file.
     */
    public static Path writePlainUsers(final Path file, final Map<String, String> passwords)
    {
        final StringBuilder yaml = new StringBuilder("users:\n");
        final Base64.Encoder base64 = Base64.getEncoder();
        passwords.forEach((user, password) ->
        {
            final PlainPasswordHash hash = PlainPasswordHash.of(password.toCharArray(), PLAIN_ITERATIONS, new SecureRandom());
            yaml.append("  ").append(user).append(":\n")
                .append("    algorithm: ").append(PlainPasswordHash.ALGORITHM).append('\n')
                .append("    iterations: ").append(hash.iterations()).append('\n')
                .append("    salt: ").append(base64.encodeToString(hash.salt())).append('\n')
                .append("    hash: ").append(base64.encodeToString(hash.hash())).append('\n');
        });
        return write(file, yaml.toString());
    }

    /**
     * Writes a SCRAM credentials file holding SCRAM-SHA-256 and SCRAM-SHA-512 credentials for each user.
     *
     * @param file      where.
     * @param passwords each user's password.
     * @return the file.
     */
    public static Path writeScramUsers(final Path file, final Map<String, String> passwords)
    {
        final StringBuilder yaml = new StringBuilder("users:\n");
        final Base64.Encoder base64 = Base64.getEncoder();
        passwords.forEach((user, password) ->
        {
            yaml.append("  ").append(user).append(":\n");
            for (final ScramMechanism mechanism : ScramMechanism.values())
            {
                final ScramCredential credential;
                try
                {
                    credential = new ScramFormatter(mechanism).generateCredential(password, mechanism.minIterations());
                }
                catch (final GeneralSecurityException e)
                {
                    throw new IllegalStateException(e);
                }
                yaml.append("    ").append(mechanism.mechanismName()).append(":\n")
                    .append("      salt: ").append(base64.encodeToString(credential.salt())).append('\n')
                    .append("      iterations: ").append(credential.iterations()).append('\n')
                    .append("      storedKey: ").append(base64.encodeToString(credential.storedKey())).append('\n')
                    .append("      serverKey: ").append(base64.encodeToString(credential.serverKey())).append('\n');
            }
        });
        return write(file, yaml.toString());
    }

    private static Path write(final Path file, final String text)
    {
        try
        {
            return Files.writeString(file, text);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
