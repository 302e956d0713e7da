package io.kafkaproxy.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs kcat (librdkafka) as a child process with some standard input, and collects its exit code and output.
 */
public final class KcatProcess
{
    private static final String KCAT = "kcat";

    private KcatProcess()
    {
    }

    /**
     * What a run gave.
     *
     * @param exitCode the exit code (127: not installed, -1: timed out).
     * @param output   standard output and error together.
     */
    public record Result(int exitCode, String output)
    {
    }

    /**
     * Whether kcat is installed.
     *
     * @return true if {@code kcat -V} runs.
     */
    public static boolean installed()
    {
        try
        {
            return run(List.of("-V"), "").exitCode() == 0;
        }
        catch (final IOException e)
        {
            return false;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs kcat and waits up to two minutes for it.
     *
     * @param arguments kcat's arguments.
     * @param input     its standard input, closed once written.
     * @return the exit code and output.
     * @throws IOException          if the output cannot be read.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static Result run(final List<String> arguments, final String input) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(KCAT);
        command.addAll(arguments);
        // Output to a file: a pipe nobody drains would block a chatty kcat.
        final Path output = Files.createTempFile("kcat", ".out");
        try
        {
            final Process process;
            try
            {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            }
            catch (final IOException notInstalled)
            {
                return new Result(127, notInstalled.getMessage());
            }
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output));
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }
}
