package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The timers of one connection: the throttle pause (client reads stop until a quota's throttle time ends, KIP-219),
 * the request timeout (a broker that leaves the oldest request unanswered too long is failing) and the wait before a
 * failed SASL login is answered and closed.
 *
 * <p>The oldest request's deadline is: when the broker started on it (it was read, or the request before it was
 * answered, whichever came later), plus its own wait ({@link BrokerWaitAllowance}: a Fetch's {@code max_wait_ms}, an
 * acks=all Produce's {@code timeout_ms}), plus the request timeout.
 *
 * <p>A response that has started to stream to the client (cut-through) is the broker's answer: from its first byte
 * the request timeout no longer applies to it, however long the client takes to drain the rest.
 *
 * <p>And the login timeout: a broker that leaves the proxy's own login ({@link BrokerSaslLogin}) unanswered past the
 * connect timeout is failing too.
 *
 * <p>Only the request and login timeouts' verdicts go back to the {@link ClientConnectionStateMachine}, which closes
 * the connection. Confined to the client channel's event loop.
 */
final class ConnectionTimers
{
    /** How long a failed login waits for its answer and close: a broker's {@code connection.failed.authentication.delay.ms}. */
    static final long FAILED_LOGIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Channel clientChannel;
    private final ReadGate clientReads;
    private final ConnectionPolicy policy;
    private final BrokerCircuitBreakers breakers;
    private final InFlightRequests inFlight;
    private final ClientConnectionStateMachine connection;
    // Held once: re-arming the check allocates only the scheduler's task.
    private final Runnable requestTimeoutTask = this::onRequestTimeoutCheck;
    private ScheduledFuture<?> throttleEnd;
    private ScheduledFuture<?> requestTimeoutCheck;
    private ScheduledFuture<?> brokerLoginDeadline;
    private ScheduledFuture<?> failedLoginClose;

    /**
     * Creates the timers of one connection.
     *
     * @param clientChannel the client's channel, on whose event loop the timers run.
     * @param clientReads   the client channel's read gate.
     * @param policy        the connection's policy, which knows the throttle.
     * @param breakers      the circuit breakers, which know the request timeout.
     * @param inFlight      the requests in flight.
     * @param connection    the connection's state machine.
     */
    ConnectionTimers(
        final Channel clientChannel,
        final ReadGate clientReads,
        final ConnectionPolicy policy,
        final BrokerCircuitBreakers breakers,
        final InFlightRequests inFlight,
        final ClientConnectionStateMachine connection)
    {
        this.clientChannel = clientChannel;
        this.clientReads = clientReads;
        this.policy = policy;
        this.breakers = breakers;
        this.inFlight = inFlight;
        this.connection = connection;
    }

    /**
     * Stops client reads for as long as the policy's throttle lasts, if it imposes one and reads are not already
     * paused for it.
     *
     * @param nowNanos the time now.
     */
    void pauseForThrottle(final long nowNanos)
    {
        final long throttleNanos = policy.throttleRemainingNanos(nowNanos);
        if (throttleNanos <= 0 || clientReads.isClosedBy(ReadGate.THROTTLED) || connection.isRequestStreaming())
        {
            // While a request streams, the broker holds part of it: the pause waits for its last byte, where the
            // request stream applies it (a response forwarded meanwhile must not stop the client's reads mid-request).
            return;
        }
        // Kafka's way (KIP-219): the response says how long to wait, and the proxy reads nothing more until then.
        clientReads.close(ReadGate.THROTTLED);
        throttleEnd = clientChannel.eventLoop().schedule(this::onThrottleEnd, throttleNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts watching the oldest request for the request timeout, unless already watching or breakers are off.
     */
    void watchRequestTimeout()
    {
        if (requestTimeoutCheck != null || !breakers.enabled())
        {
            return;
        }
        requestTimeoutCheck = clientChannel.eventLoop().schedule(
            requestTimeoutTask, breakers.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts the deadline of the proxy's own login to the broker.
     *
     * @param timeoutMillis how long the broker may take to accept or refuse it.
     */
    void watchBrokerLogin(final long timeoutMillis)
    {
        brokerLoginDeadline = clientChannel.eventLoop().schedule(connection::onBrokerLoginTimedOut, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the login deadline: the broker answered the login.
     */
    void cancelBrokerLogin()
    {
        if (brokerLoginDeadline != null)
        {
            brokerLoginDeadline.cancel(false);
            brokerLoginDeadline = null;
        }
    }

    /**
     * Runs a failed login's answer and close once the broker's delay has passed; the connection closing first cancels it.
     *
     * @param close answers the client, if it can be, and closes the connection.
     */
    void afterFailedLoginDelay(final Runnable close)
    {
        if (failedLoginClose == null)
        {
            failedLoginClose = clientChannel.eventLoop().schedule(close, FAILED_LOGIN_DELAY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Cancels every timer: the connection closed.
     */
    void cancel()
    {
        cancelBrokerLogin();
        if (throttleEnd != null)
        {
            throttleEnd.cancel(false);
        }
        if (requestTimeoutCheck != null)
        {
            requestTimeoutCheck.cancel(false);
        }
        if (failedLoginClose != null)
        {
            failedLoginClose.cancel(false);
        }
    }

    private void onThrottleEnd()
    {
        throttleEnd = null;
        final long remaining = policy.throttleRemainingNanos(System.nanoTime());
        if (remaining > 0)
        {
            // A response charged more since the pause began.
            throttleEnd = clientChannel.eventLoop().schedule(this::onThrottleEnd, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        clientReads.open(ReadGate.THROTTLED);
    }

    private void onRequestTimeoutCheck()
    {
        requestTimeoutCheck = null;
        if (!connection.isLinked() || inFlight.isEmpty())
        {
            return;
        }
        final long nowNanos = System.nanoTime();
        final long timeout = breakers.requestTimeoutNanos();
        long untilNextCheck = timeout;
        // A response streaming to the client has been answered: what is left of it comes as fast as the client takes
        // it (broker reads stop while the client's buffer is full), so the time it takes is the client's, not the
        // broker's, and cutting it would only make the client fetch the same bytes again. A request still streaming to
        // the broker (cut-through) cannot be answered yet: its time too is the client's, and its wait starts at its end.
        if (!inFlight.headIsLocallyAnswered() && !inFlight.headIsStreaming() && !inFlight.headIsArriving()
            && inFlight.headBrokerWaitMillis() != BrokerWaitAllowance.UNBOUNDED)
        {
            // The request's own wait is the broker doing as asked: the timeout starts once it has run out.
            final long deadline = inFlight.headWaitStartNanos()
                + TimeUnit.MILLISECONDS.toNanos(inFlight.headBrokerWaitMillis()) + timeout;
            if (nowNanos - deadline >= 0)
            {
                connection.onRequestTimedOut();
                return;
            }
            untilNextCheck = deadline - nowNanos;
        }
        // Never further than one timeout ahead, nor sooner than a millisecond: the head may be answered meanwhile,
        // and the next one's deadline may come sooner than this one's.
        requestTimeoutCheck = clientChannel.eventLoop().schedule(
            requestTimeoutTask, Math.max(Math.min(untilNextCheck, timeout), 1_000_000), TimeUnit.NANOSECONDS);
    }
}
