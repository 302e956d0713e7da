package io.kafkaproxy.bench;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, the kind event loops run on, so that
 * Netty's thread caches and recyclers behave in a benchmark as they do in the proxy. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.kafkaproxy.bench.FastThreadLocalThreadExecutor}.
 */
public final class FastThreadLocalThreadExecutor extends ThreadPoolExecutor
{
    /**
     * The constructor JMH calls.
     *
     * @param maxThreads the benchmark's thread count.
     * @param prefix     the thread name prefix.
     */
    public FastThreadLocalThreadExecutor(final int maxThreads, final String prefix)
    {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
