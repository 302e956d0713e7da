package io.kafkaproxy.proxy.gateway.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The identity stage of the HTTP gateway: who a request comes from, by its credentials ({@code Authorization} header)
 * or its connection's client certificate. Runs once per request, before its route opens.
 *
 * <p>Shared by every connection; called on the request channel's event loop, and must not block there (password and
 * token checks complete the stage from another thread).
 */
@FunctionalInterface
public interface HttpRequestAuthenticator
{
    /** The principal of requests when the listener authenticates nobody. */
    String ANONYMOUS = io.kafkaproxy.proxy.gateway.GatewayAuthenticator.ANONYMOUS;

    /** Every request is {@link #ANONYMOUS}: the listener has no {@code auth} section. */
    HttpRequestAuthenticator NONE = (request, connection) -> CompletableFuture.completedFuture(Authentication.of(ANONYMOUS));

    /**
     * Authenticates one request.
     *
     * @param request    the request head.
     * @param connection the TCP connection's channel (the parent of an HTTP/2 stream), whose pipeline holds the
     *                   {@link io.netty.handler.ssl.SslHandler} when the listener has TLS.
     * @return completes with the outcome; a failed stage is answered like a refusal.
     */
    CompletionStage<Authentication> authenticate(HttpRequest request, Channel connection);

    /**
     * The outcome of authenticating a request: a principal, or why there is none.
     *
     * @param principal the principal's name, or null when refused.
     * @param failure   why the request was refused (for the 401 answer's message), or null.
     * @param scheme    the scheme the 401 answer's {@code WWW-Authenticate} challenges with, e.g.
     *                  {@code Basic realm="kafka-proxy"}; null when refused without a challenge.
     */
    record Authentication(String principal, String failure, String scheme)
    {
        /**
         * A request authenticated.
         *
         * @param principal the principal's name.
         * @return the outcome.
         */
        public static Authentication of(final String principal)
        {
            return new Authentication(principal, null, null);
        }

        /**
         * A request refused.
         *
         * @param failure why, for the client.
         * @param scheme  the challenge of the 401 answer.
         * @return the outcome.
         */
        public static Authentication refused(final String failure, final String scheme)
        {
            return new Authentication(null, failure, scheme);
        }

        /**
         * Whether the request was authenticated.
         *
         * @return true if there is a principal.
         */
        public boolean authenticated()
        {
            return principal != null;
        }
    }
}
