package io.kafkaproxy.proxy.sasl;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where SASL logins are checked, off the event loops: deriving a PBKDF2 hash costs tens of milliseconds by design,
 * which an event loop serving other connections must not spend.
 *
 * <p>One bounded pool for the JVM, of daemon threads named {@code sasl-login-N} (at most half the processors, at
 * least one) that end after a minute without work, so a proxy that stops leaves nothing running and one that never
 * terminates SASL starts nothing. A full queue refuses the login (the caller answers it as failed): a login flood
 * queues no more than {@value #QUEUE_CAPACITY} checks.
 */
public final class SaslLoginExecutor
{
    /** The most logins waiting to be checked. */
    public static final int QUEUE_CAPACITY = 1024;

    private static final Executor EXECUTOR = newExecutor();

    private SaslLoginExecutor()
    {
    }

    /**
     * Queues a login check.
     *
     * @param check the check; it hands its result back to the connection's event loop itself.
     * @return true if queued; false if the queue is full.
     */
    public static boolean tryExecute(final Runnable check)
    {
        try
        {
            EXECUTOR.execute(check);
            return true;
        }
        catch (final RejectedExecutionException e)
        {
            return false;
        }
    }

    private static Executor newExecutor()
    {
        final int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        final AtomicInteger count = new AtomicInteger();
        final ThreadFactory factory = runnable ->
        {
            final Thread thread = new Thread(runnable, "sasl-login-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE_CAPACITY), factory);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
