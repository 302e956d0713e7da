package io.kafkaproxy.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Full TLS handshakes per second against one address: several threads each connect, handshake (no session
 * resumption: a fresh client context per thread has its own cache, and each handshake gets a new session by
 * invalidating the last) and hang up, for a fixed time.
 */
final class TlsHandshakeRate
{
    private TlsHandshakeRate()
    {
    }

    /**
     * What a measurement counted.
     *
     * @param count     handshakes completed.
     * @param perSecond handshakes per second.
     */
    record Result(long count, double perSecond)
    {
    }

    /**
     * Measures.
     *
     * @param address        {@code host:port}.
     * @param material       the trust store the clients use.
     * @param threads        concurrent clients.
     * @param durationMillis how long.
     * @return the count and rate.
     * @throws Exception if a handshake fails.
     */
    static Result measure(final String address, final TlsBenchMaterial material, final int threads, final long durationMillis)
        throws Exception
    {
        final String host = address.substring(0, address.lastIndexOf(':'));
        final int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final long start = System.nanoTime();
            final long deadline = start + TimeUnit.MILLISECONDS.toNanos(durationMillis);
            final List<Future<Long>> counts = new ArrayList<>();
            for (int i = 0; i < threads; i++)
            {
                counts.add(executor.submit(() -> handshakeUntil(host, port, newContext(material), deadline)));
            }
            long total = 0;
            for (final Future<Long> count : counts)
            {
                total += count.get();
            }
            return new Result(total, total / ((System.nanoTime() - start) / 1e9));
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    private static long handshakeUntil(final String host, final int port, final SSLContext context, final long deadline)
        throws Exception
    {
        long count = 0;
        while (System.nanoTime() < deadline)
        {
            try (SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket())
            {
                socket.connect(new InetSocketAddress(host, port), 5_000);
                socket.startHandshake();
                // No resumption: the next handshake is a full one, as a new client's would be.
                socket.getSession().invalidate();
                count++;
            }
        }
        return count;
    }

    private static SSLContext newContext(final TlsBenchMaterial material) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(material.trustStore()))
        {
            trust.load(in, material.password().toCharArray());
        }
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }
}
