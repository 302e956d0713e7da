package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.sasl.PlainPasswordHash;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * {@code kafka-proxy hash-password --user NAME --mechanism PLAIN|SCRAM-SHA-256|SCRAM-SHA-512}: reads a password from
 * the first line of stdin (so it never shows in a process list or shell history) and prints the user's entry for the
 * PLAIN users file or the SCRAM credentials file, to paste under {@code users:}.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
    description = "Read a password from stdin and print a user's entry for listener.sasl.plainUsersFile (PLAIN: " +
        "PBKDF2WithHmacSHA512) or listener.sasl.scramCredentialsFile (SCRAM-SHA-256, SCRAM-SHA-512).")
final class HashPasswordCommand implements Callable<Integer>
{
    /** SCRAM's default iteration count, as Kafka's kafka-configs tool uses it. */
    static final int DEFAULT_SCRAM_ITERATIONS = 4096;

    @Option(names = "--user", required = true, description = "The user name.")
    String user;

    @Option(names = "--mechanism", required = true, description = "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    String mechanism;

    @Option(names = "--iterations", description = "The iteration count. Default: 210000 for PLAIN, 4096 for SCRAM.")
    Integer iterations;

    @Spec
    CommandSpec spec;

    // Replaced by tests; the password is read from here.
    InputStream in = System.in;

    @Override
    public Integer call() throws IOException, GeneralSecurityException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final SaslMechanism chosen = SaslMechanism.fromName(mechanism);
        if (chosen == null || chosen == SaslMechanism.OAUTHBEARER)
        {
            err.println("--mechanism: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512: " + mechanism);
            err.flush();
            return ExitCodes.USAGE;
        }
        final String password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (password == null || password.isEmpty())
        {
            err.println("no password on stdin");
            err.flush();
            return ExitCodes.USAGE;
        }
        final Base64.Encoder base64 = Base64.getEncoder();
        out.println("  " + user + ":");
        if (chosen == SaslMechanism.PLAIN)
        {
            final int count = iterations == null ? PlainPasswordHash.DEFAULT_ITERATIONS : iterations;
            if (count < PlainPasswordHash.MIN_ITERATIONS)
            {
                err.println("--iterations: at least " + PlainPasswordHash.MIN_ITERATIONS + ": " + count);
                err.flush();
                return ExitCodes.USAGE;
            }
            final PlainPasswordHash hash = PlainPasswordHash.of(password.toCharArray(), count, new SecureRandom());
            out.println("    algorithm: " + PlainPasswordHash.ALGORITHM);
            out.println("    iterations: " + hash.iterations());
            out.println("    salt: " + base64.encodeToString(hash.salt()));
            out.println("    hash: " + base64.encodeToString(hash.hash()));
        }
        else
        {
            final ScramMechanism scram = ScramMechanism.forMechanismName(chosen.mechanismName());
            final int count = iterations == null ? DEFAULT_SCRAM_ITERATIONS : iterations;
            if (count < scram.minIterations() || count > scram.maxIterations())
            {
                err.println("--iterations: between " + scram.minIterations() + " and " + scram.maxIterations() + ": " + count);
                err.flush();
                return ExitCodes.USAGE;
            }
            final ScramCredential credential = new ScramFormatter(scram).generateCredential(password, count);
            out.println("    " + chosen.mechanismName() + ":");
            out.println("      salt: " + base64.encodeToString(credential.salt()));
            out.println("      iterations: " + credential.iterations());
            out.println("      storedKey: " + base64.encodeToString(credential.storedKey()));
            out.println("      serverKey: " + base64.encodeToString(credential.serverKey()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
