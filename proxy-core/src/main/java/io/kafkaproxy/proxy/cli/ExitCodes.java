package io.kafkaproxy.proxy.cli;

/**
 * The process exit codes, documented in the README and in {@code --help}.
 */
final class ExitCodes
{
    /** Stopped cleanly. */
    static final int OK = 0;
    /** Failed while running: a listener could not be bound, the demo broker did not start. */
    static final int RUNTIME_FAILURE = 1;
    /** Bad usage or configuration. */
    static final int USAGE = 2;

    private ExitCodes()
    {
    }
}
