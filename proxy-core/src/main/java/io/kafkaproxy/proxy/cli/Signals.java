package io.kafkaproxy.proxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Installs the process's signal handlers: SIGHUP and SIGUSR1 reload, SIGTERM and SIGINT stop.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to handle a signal without
 * exiting; its handlers run on a thread of their own, so each only hands work on and returns.
 */
final class Signals
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Signals.class);

    private Signals()
    {
    }

    /**
     * Handles SIGTERM and SIGINT.
     *
     * @param stop run on either.
     */
    static void handleStop(final Runnable stop)
    {
        handle("TERM", stop);
        handle("INT", stop);
    }

    /**
     * Handles SIGHUP and SIGUSR1.
     *
     * @param reload run on either.
     */
    static void handleReload(final Runnable reload)
    {
        handle("HUP", reload);
        handle("USR1", reload);
    }

    private static void handle(final String name, final Runnable action)
    {
        try
        {
            Signal.handle(new Signal(name), signal ->
            {
                LOGGER.atInfo().addKeyValue("signal", "SIG" + name).log("signal received");
                action.run();
            });
        }
        catch (final IllegalArgumentException e)
        {
            // The JVM keeps some signals (SIGUSR1 under some collectors, any signal with -Xrs): say so and go on.
            LOGGER.atWarn().addKeyValue("signal", "SIG" + name).addKeyValue("error", e.getMessage())
                .log("cannot handle signal");
        }
    }
}
