package io.kafkaproxy.proxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Relays the requests the process's signals carry, from the first instant of {@code main}, to whatever can act on
 * them once it can: SIGHUP and SIGUSR1 request a reload, SIGTERM and SIGINT a stop.
 *
 * <p>Until a handler of ours is in place the JVM's own (java.lang.Terminator) exits on SIGHUP with 129, so a
 * {@code systemctl reload} right after a start would stop the service. {@link #install()} is therefore the
 * first statement of {@code main}, before picocli parses and before logging initialises; this class loads no
 * logger until {@link #onLoggingReady()}. Until then a handler only records: the signal's name, to be logged;
 * a reload request, remembered and coalesced with any other until {@link #onReady(Runnable)} applies it once;
 * a stop request, which {@link #stopRequested()} and {@link #awaitStop()} report whenever the runner asks.
 *
 * <p>Handlers are installed in the order TERM, INT, HUP, USR1. The JVM itself never catches SIGUSR1, so once
 * {@code /proc/PID/status} shows it caught (SigCgt) all four are ours: tests rely on that.
 *
 * <p>A parent that starts the process with SIGHUP ignored ({@code nohup}) makes the JVM leave it ignored, and
 * {@code Signal.handle} then installs nothing and answers {@code SIG_IGN}; that is remembered and reported at
 * WARN once logging is up, since SIGUSR1 still reloads.
 *
 * <p>Threads: the JVM runs every signal's handler on a new thread of its own, so handlers run concurrently with
 * one another and with the main thread. The state they share is guarded by this object's monitor; a handler
 * never blocks, and hands a reload on to a target that only queues it.
 */
final class SignalRelay
{
    private static final String[] SIGNALS = {"TERM", "INT", "HUP", "USR1"};

    private static SignalRelay installed;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** Written by the installing thread before any other reads it. */
    private final List<String> ignoredByParent = new ArrayList<>();
    /** Written by the installing thread before any other reads it. */
    private final Map<String, String> notHandled = new LinkedHashMap<>();

    // Guarded by this.
    private final List<String> receivedBeforeLogging = new ArrayList<>();
    private boolean loggingReady;
    /** Null until the proxy is ready, and again once it stops. */
    private Runnable reloadTarget;
    private boolean reloadPending;
    private boolean stopping;

    SignalRelay()
    {
    }

    /**
     * Installs the process's handlers of SIGTERM, SIGINT, SIGHUP and SIGUSR1, once per process.
     *
     * @return the process's relay.
     */
    static synchronized SignalRelay install()
    {
        if (installed == null)
        {
            final SignalRelay relay = new SignalRelay();
            for (final String name : SIGNALS)
            {
                relay.handle(name);
            }
            installed = relay;
        }
        return installed;
    }

    private void handle(final String name)
    {
        try
        {
            final SignalHandler previous = Signal.handle(new Signal(name), new RelayingHandler(this));
            if (previous == SignalHandler.SIG_IGN)
            {
                // The JVM honours an ignore inherited from the parent for HUP, INT and TERM and installed nothing.
                ignoredByParent.add(name);
            }
        }
        catch (final IllegalArgumentException e)
        {
            // The JVM keeps some signals (any of these four with -Xrs): reported once logging is up.
            notHandled.put(name, e.getMessage());
        }
    }

    /**
     * Records one signal and hands its request on; what a handler runs.
     *
     * @param name the signal's name without the SIG prefix.
     */
    void onSignal(final String name)
    {
        final boolean log;
        synchronized (this)
        {
            log = loggingReady;
            if (!log)
            {
                receivedBeforeLogging.add(name);
            }
        }
        if (log)
        {
            logReceived(name);
        }
        if ("TERM".equals(name) || "INT".equals(name))
        {
            synchronized (this)
            {
                stopping = true;
                reloadTarget = null;
            }
            stopRequested.countDown();
        }
        else
        {
            requestReload();
        }
    }

    private void requestReload()
    {
        final Runnable target;
        synchronized (this)
        {
            if (stopping)
            {
                return;
            }
            target = reloadTarget;
            if (target == null)
            {
                reloadPending = true;
                return;
            }
        }
        target.run();
    }

    /**
     * Logging is up: logs what was recorded before it, and from now on each signal as it arrives.
     */
    void onLoggingReady()
    {
        final Logger logger = LoggerFactory.getLogger(SignalRelay.class);
        final List<String> received;
        synchronized (this)
        {
            if (loggingReady)
            {
                return;
            }
            loggingReady = true;
            received = List.copyOf(receivedBeforeLogging);
            receivedBeforeLogging.clear();
        }
        for (final String name : ignoredByParent)
        {
            logger.atWarn().addKeyValue("signal", "SIG" + name).log("HUP".equals(name) ?
                "SIGHUP is ignored by the parent process (nohup?): reload with SIGUSR1 (kill -USR1)" :
                "signal ignored by the parent process: it does nothing here");
        }
        notHandled.forEach((name, error) -> logger.atWarn().addKeyValue("signal", "SIG" + name)
            .addKeyValue("error", error).log("cannot handle signal"));
        received.forEach(SignalRelay::logReceived);
    }

    private static void logReceived(final String name)
    {
        LoggerFactory.getLogger(SignalRelay.class).atInfo().addKeyValue("signal", "SIG" + name).log("signal received");
    }

    /**
     * The proxy is ready for reloads: hands them on to the target from now on, and applies one now if any was
     * requested before.
     *
     * @param reload queues a reload and returns at once.
     */
    void onReady(final Runnable reload)
    {
        final boolean pending;
        synchronized (this)
        {
            if (stopping)
            {
                return;
            }
            reloadTarget = reload;
            pending = reloadPending;
            reloadPending = false;
        }
        if (pending)
        {
            LoggerFactory.getLogger(SignalRelay.class).atInfo().log("applying the reload requested during start-up");
            reload.run();
        }
    }

    /**
     * Whether SIGTERM or SIGINT has arrived.
     *
     * @return true once a stop was requested.
     */
    boolean stopRequested()
    {
        return stopRequested.getCount() == 0;
    }

    /**
     * Waits for SIGTERM or SIGINT; from then on reload requests are dropped.
     *
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    void awaitStop() throws InterruptedException
    {
        stopRequested.await();
    }

    /**
     * Hands a signal to the relay. A class rather than a lambda: the first lambda of a JVM bootstraps the
     * invokedynamic machinery, tens of milliseconds during which the JVM's own SIGHUP handling would still apply.
     */
    private static final class RelayingHandler implements SignalHandler
    {
        private final SignalRelay relay;

        RelayingHandler(final SignalRelay relay)
        {
            this.relay = relay;
        }

        @Override
        public void handle(final Signal signal)
        {
            relay.onSignal(signal.getName());
        }
    }
}
