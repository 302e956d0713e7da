package io.kafkaproxy.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program that is not Java (kcat, a Python client) to its end, feeding it input and keeping what it printed,
 * for ITs that check the proxy with clients other than kafka-clients.
 */
public final class ExternalCommand
{
    private static final long TIMEOUT_SECONDS = 120;

    private ExternalCommand()
    {
    }

    /**
     * How a run ended.
     *
     * @param exitCode the program's exit code; 127 if it could not be started (not installed), -1 if it timed out.
     * @param output   what it printed, standard output and error together.
     */
    public record Result(int exitCode, String output)
    {
    }

    /**
     * Runs a program, writes the input to it, closes its input and waits for it (up to two minutes).
     *
     * @param command the program and its arguments.
     * @param input   what to write to its standard input.
     * @return how it ended.
     * @throws IOException          if its input or output cannot be written or read.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static Result run(final List<String> command, final String input) throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile("command", ".out");
        final Process process;
        try
        {
            process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        }
        catch (final IOException notInstalled)
        {
            return new Result(127, notInstalled.getMessage());
        }
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return new Result(-1, "timed out: " + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }
}
