package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.logging.LogRateLimiter;
import org.agrona.concurrent.NanoClock;

import java.time.Duration;

/**
 * The WARN-line budget of one proxy's connections: a {@link LogRateLimiter} for each kind of per-connection failure,
 * since each of them is the outsider's to repeat (a connection flood, garbage frames, a broker made unreachable).
 *
 * <p>One per proxy, shared by all its event loops (so a flood is one budget wherever its connections land), and
 * lock-free. Separate proxies in one JVM, as in the tests, keep separate budgets.
 */
public final class ConnectionLogLimits
{
    /** Lines of one kind let through per interval. */
    public static final int LINES_PER_INTERVAL = 10;
    /** The interval. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    /**
     * The kinds of per-connection WARN line, each with its own budget.
     */
    enum Kind
    {
        /** The client sent bytes that are not Kafka. */
        CLIENT_FRAME_REJECTED,
        /** The client's side failed for another reason than a reset. */
        CLIENT_FAILED,
        /** The broker reset the connection after a request of the client: counted against the client. */
        BROKER_RESET_AFTER_REQUEST,
        /** The broker sent bytes that are not Kafka. */
        BROKER_FRAME_REJECTED,
        /** The broker's side failed. */
        BROKER_FAILED,
        /** No broker address left to try. */
        NO_BROKER_REACHABLE,
        /** No routing rule sends the connection to a cluster. */
        NO_ROUTE,
        /** A broker connect attempt failed. */
        BROKER_CONNECT_FAILED,
        /** The TLS handshake with a broker failed. */
        BROKER_TLS_HANDSHAKE_FAILED,
        /** A broker refused the proxy's own login. */
        BROKER_LOGIN_FAILED,
        /** The broker left a request unanswered past the request timeout. */
        REQUEST_TIMED_OUT,
        /** The broker answered out of order. */
        UNEXPECTED_RESPONSE,
        /** A response names a node without a proxy listener. */
        UNADVERTISABLE_RESPONSE,
        /** A client's TLS handshake failed. */
        TLS_HANDSHAKE_FAILED,
        /** A client's TLS server name is not a host of its SNI listener. */
        SNI_UNKNOWN_HOST,
        /** A SASL login the proxy checks failed, or the client broke the SASL exchange. */
        SASL_AUTHENTICATION_FAILED
    }

    private final NanoClock clock;
    private final LogRateLimiter[] limiters = new LogRateLimiter[Kind.values().length];

    /**
     * Creates the budgets, {@link #LINES_PER_INTERVAL} lines of each kind per {@link #INTERVAL}.
     *
     * @param clock the clock intervals are measured by.
     */
    public ConnectionLogLimits(final NanoClock clock)
    {
        this(clock, LINES_PER_INTERVAL, INTERVAL);
    }

    /**
     * Creates the budgets.
     *
     * @param clock            the clock intervals are measured by.
     * @param linesPerInterval the lines of each kind let through per interval.
     * @param interval         the interval.
     */
    public ConnectionLogLimits(final NanoClock clock, final int linesPerInterval, final Duration interval)
    {
        this.clock = clock;
        final long nowNanos = clock.nanoTime();
        for (int i = 0; i < limiters.length; i++)
        {
            limiters[i] = new LogRateLimiter(linesPerInterval, interval, nowNanos);
        }
    }

    /**
     * Asks whether a line of a kind may be logged now. Any thread.
     *
     * @param kind the kind of line.
     * @return {@link LogRateLimiter#SUPPRESSED}, or the lines of that kind held back since the last one let through.
     */
    long tryAcquire(final Kind kind)
    {
        return limiters[kind.ordinal()].tryAcquire(clock.nanoTime());
    }

    /**
     * Asks whether a line about a failed client TLS handshake may be logged now. Any thread.
     *
     * @return {@link LogRateLimiter#SUPPRESSED}, or the lines of that kind held back since the last one let through.
     */
    public long tryAcquireTlsHandshakeFailure()
    {
        return tryAcquire(Kind.TLS_HANDSHAKE_FAILED);
    }

    /**
     * Asks whether a line about a connection refused for its TLS server name may be logged now. Any thread.
     *
     * @return {@link LogRateLimiter#SUPPRESSED}, or the lines of that kind held back since the last one let through.
     */
    public long tryAcquireSniUnknownHost()
    {
        return tryAcquire(Kind.SNI_UNKNOWN_HOST);
    }

    /**
     * Asks whether a connection that no routing rule sends to a cluster may be logged now. Any thread.
     *
     * @return {@link LogRateLimiter#SUPPRESSED}, or the lines of that kind held back since the last one let through.
     */
    public long tryAcquireNoRoute()
    {
        return tryAcquire(Kind.NO_ROUTE);
    }
}
