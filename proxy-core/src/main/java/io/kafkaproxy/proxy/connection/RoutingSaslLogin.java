package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.policy.KafkaMessageFrames;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.kafkaproxy.proxy.sasl.SaslLoginExecutor;
import io.kafkaproxy.proxy.sasl.SaslServerExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The SASL login of a connection on a routing listener that terminates SASL, before its cluster is known: answers
 * SaslHandshake (v1) and SaslAuthenticate (v0-v2) with the same server-side exchange a terminating cluster listener
 * uses ({@link SaslServerExchange}, checked on a {@link SaslLoginExecutor} thread), and once the login succeeds asks
 * the {@link Router} for the principal's cluster. Routed: the success is answered and the connection handed on with
 * its {@link RoutedLogin}. Not routed: the last SaslAuthenticate is answered SASL_AUTHENTICATION_FAILED ("no cluster
 * for principal"), which a client reports as a failed login and does not retry blindly, and the connection closes.
 *
 * <p>A failed login is counted per client address and, as on a broker, answered and closed only after
 * {@link ConnectionTimers#FAILED_LOGIN_DELAY_NANOS}; an address past its allowance is refused unchecked. Confined to
 * the client channel's event loop, but for the check handed to the executor.
 */
public final class RoutingSaslLogin
{
    private static final String UNSUPPORTED = "unsupported";

    /**
     * Where a finished login goes.
     */
    public interface Router
    {
        /**
         * Chooses the cluster of a principal that logged in.
         *
         * @param principal the principal, without a type.
         * @return the cluster's name, or null when no rule routes it.
         */
        String choose(String principal);

        /**
         * Hands the connection to its cluster, after the login's success was written.
         *
         * @param cluster the cluster chosen.
         * @param login   the login, for the cluster's connection.
         */
        void handOff(String cluster, RoutedLogin login);

        /**
         * No cluster takes the principal: counted and logged; the connection closes after its answer.
         *
         * @param principal the principal.
         */
        void onNoRoute(String principal);
    }

    private final Channel clientChannel;
    private final InetAddress clientAddress;
    private final String listener;
    private final Supplier<SaslCredentials> credentials;
    private final FailedLoginLimiter failedLogins;
    private final ProxyMetrics metrics;
    private final ConnectionLog log;
    private final Router router;
    private final SaslServerExchange exchange;
    private boolean checking;
    private boolean ended;

    /**
     * Creates the login of one routing connection.
     *
     * @param clientChannel the client channel.
     * @param listener      the routing listener's name, the login meter's label.
     * @param credentials   the routing listener's credentials.
     * @param failedLogins  the routing listener's count of failed logins per client address.
     * @param metrics       the meters of what happens before routing ({@code cluster=""}).
     * @param logLimits     the proxy's WARN-line budgets.
     * @param router        where a finished login goes.
     */
    public RoutingSaslLogin(
        final Channel clientChannel,
        final String listener,
        final Supplier<SaslCredentials> credentials,
        final FailedLoginLimiter failedLogins,
        final ProxyMetrics metrics,
        final ConnectionLogLimits logLimits,
        final Router router)
    {
        this.clientChannel = clientChannel;
        this.clientAddress = clientChannel.remoteAddress() instanceof InetSocketAddress socket
            ? socket.getAddress() : InetAddress.getLoopbackAddress();
        this.listener = listener;
        this.credentials = credentials;
        this.failedLogins = failedLogins;
        this.metrics = metrics;
        this.log = new ConnectionLog(clientChannel, null, metrics, logLimits);
        this.router = router;
        this.exchange = new SaslServerExchange(credentials);
    }

    /**
     * Whether the connection must not send anything now: a token is being checked, or the login ended.
     *
     * @return true while checking or after the end.
     */
    public boolean isBusy()
    {
        return checking || ended;
    }

    /**
     * A SaslHandshake.
     *
     * @param apiVersion    its version.
     * @param correlationId its correlation id.
     * @param mechanism     the mechanism it names.
     * @return false if the connection must close now (logged): a version the routing listener does not answer.
     */
    public boolean onHandshake(final short apiVersion, final int correlationId, final String mechanism)
    {
        if (apiVersion != 1 || exchange.isExchanging())
        {
            log.onSaslUnexpectedRequest(ApiKeyIds.SASL_HANDSHAKE, apiVersion);
            return false;
        }
        final Errors error = exchange.onHandshake(mechanism);
        final SaslHandshakeResponseData response =
            new SaslHandshakeResponseData().setErrorCode(error.code()).setMechanisms(exchange.enabledMechanisms());
        if (error != Errors.NONE)
        {
            metrics.onSaslAuthentication(listener, UNSUPPORTED, "unsupported_mechanism");
            log.onSaslAuthenticationFailed(null, "Unsupported SASL mechanism " + mechanism, null);
            closeAfterDelay(() -> answer(correlationId, ApiKeyIds.SASL_HANDSHAKE, apiVersion, response));
            return true;
        }
        clientChannel.writeAndFlush(answer(correlationId, ApiKeyIds.SASL_HANDSHAKE, apiVersion, response), clientChannel.voidPromise());
        return true;
    }

    /**
     * A SaslAuthenticate.
     *
     * @param apiVersion    its version.
     * @param correlationId its correlation id.
     * @param token         its auth bytes; never logged.
     * @return false if the connection must close now (logged): no handshake before it, or a version not answered.
     */
    public boolean onAuthenticate(final short apiVersion, final int correlationId, final byte[] token)
    {
        if (apiVersion > 2 || !exchange.isExchanging())
        {
            log.onSaslUnexpectedRequest(ApiKeyIds.SASL_AUTHENTICATE, apiVersion);
            return false;
        }
        final long nowNanos = System.nanoTime();
        final SaslCredentials current = credentials.get();
        final int allowance = current == null ? 1 : current.settings().failedLoginsPerMinute();
        if (failedLogins.isBlocked(clientAddress, allowance, nowNanos))
        {
            metrics.onSaslAuthentication(listener, mechanismLabel(), "refused");
            fail(correlationId, apiVersion, "Authentication failed: too many failed logins from this address, retry later", null);
            return true;
        }
        checking = true;
        final boolean queued = SaslLoginExecutor.tryExecute(() ->
        {
            final SaslServerExchange.Step step = exchange.authenticate(token, System.currentTimeMillis());
            try
            {
                clientChannel.eventLoop().execute(() -> onChecked(step, correlationId, apiVersion));
            }
            catch (final RejectedExecutionException e)
            {
                // The proxy is stopping: the connection is being closed with its event loop.
            }
        });
        if (!queued)
        {
            checking = false;
            metrics.onSaslAuthentication(listener, mechanismLabel(), "refused");
            fail(correlationId, apiVersion, "Authentication failed: the proxy is busy, retry later", null);
        }
        return true;
    }

    /**
     * A request a broker does not take before a login: logged; the caller closes the connection.
     *
     * @param apiKey     its api key.
     * @param apiVersion its version.
     */
    public void onUnexpectedRequest(final short apiKey, final short apiVersion)
    {
        log.onSaslUnexpectedRequest(apiKey, apiVersion);
    }

    private void onChecked(final SaslServerExchange.Step step, final int correlationId, final short apiVersion)
    {
        checking = false;
        if (!clientChannel.isActive() || ended)
        {
            return;
        }
        if (step.errorCode() != Errors.NONE.code())
        {
            failedLogins.onFailure(clientAddress, System.nanoTime());
            metrics.onSaslAuthentication(listener, mechanismLabel(), "failure");
            fail(correlationId, apiVersion, step.errorMessage(), step.detail());
            return;
        }
        final SaslAuthenticateResponseData response = new SaslAuthenticateResponseData()
            .setErrorCode(Errors.NONE.code())
            .setAuthBytes(step.challenge());
        if (!step.complete())
        {
            clientChannel.writeAndFlush(answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, response),
                clientChannel.voidPromise());
            return;
        }
        final String cluster = router.choose(step.principal());
        if (cluster == null)
        {
            // The credentials were good; what fails is the route, which the client must hear of as a failed login
            // (its error is final, so it does not reconnect in a loop), not as a dropped connection.
            ended = true;
            router.onNoRoute(step.principal());
            clientChannel.writeAndFlush(answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, new SaslAuthenticateResponseData()
                .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage("Authentication failed: no cluster for principal User:" + step.principal())))
                .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ended = true;
        metrics.onSaslAuthentication(listener, mechanismLabel(), "success");
        // KIP-368: a v0 client cannot hear of the session's lifetime, so, as the broker, its session never ends.
        final long lifetimeMs = apiVersion >= 1 ? step.sessionLifetimeMs() : 0;
        response.setSessionLifetimeMs(lifetimeMs);
        clientChannel.writeAndFlush(answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, response), clientChannel.voidPromise());
        router.handOff(cluster, new RoutedLogin(exchange, lifetimeMs > 0, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMs)));
    }

    private void fail(final int correlationId, final short apiVersion, final String message, final String detail)
    {
        log.onSaslAuthenticationFailed(exchange.mechanismName(), message, detail);
        closeAfterDelay(() -> answer(correlationId, ApiKeyIds.SASL_AUTHENTICATE, apiVersion, new SaslAuthenticateResponseData()
            .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(message)));
    }

    /** Ends a failed login as the broker does: nothing more is read, and the answer and the close come after the delay. */
    private void closeAfterDelay(final Supplier<ByteBuf> lastAnswer)
    {
        ended = true;
        clientChannel.eventLoop().schedule(() ->
        {
            if (clientChannel.isActive())
            {
                clientChannel.writeAndFlush(lastAnswer.get()).addListener(ChannelFutureListener.CLOSE);
            }
        }, ConnectionTimers.FAILED_LOGIN_DELAY_NANOS, TimeUnit.NANOSECONDS);
    }

    private String mechanismLabel()
    {
        final String mechanism = exchange.mechanismName();
        return mechanism == null ? UNSUPPORTED : mechanism;
    }

    private ByteBuf answer(final int correlationId, final short apiKey, final short apiVersion, final ApiMessage body)
    {
        return KafkaMessageFrames.response(clientChannel.alloc(), correlationId,
            ApiHeaderVersions.responseHeaderVersion(apiKey, apiVersion), body, apiVersion);
    }
}
