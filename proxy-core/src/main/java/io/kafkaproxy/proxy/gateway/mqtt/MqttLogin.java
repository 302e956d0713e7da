package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.gateway.GatewayAuthenticationException;
import io.kafkaproxy.proxy.gateway.GatewayAuthenticator;
import io.kafkaproxy.proxy.tls.ClientTlsContext;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns what a CONNECT presents into a principal: a user name and password (the password a JWT when
 * {@code mqtt.auth.oauthbearer} is set and it looks like one), else the client certificate of the TLS handshake,
 * else {@code ANONYMOUS} where that is allowed. Credentials the client sends win over its certificate, as SASL wins
 * over TLS on a Kafka listener. Stateless.
 */
final class MqttLogin
{
    private MqttLogin()
    {
    }

    /**
     * A refused login: which CONNACK reason code to answer with.
     */
    static final class RefusedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final int reasonCode;

        RefusedException(final int reasonCode, final String message)
        {
            super(message, null, false, false);
            this.reasonCode = reasonCode;
        }

        int reasonCode()
        {
            return reasonCode;
        }
    }

    /**
     * Checks a CONNECT's credentials.
     *
     * @param authenticator   {@code mqtt.auth}'s authenticator.
     * @param bearerPasswords whether a JWT password is checked as a bearer token.
     * @param userName        the CONNECT's user name, or null.
     * @param password        the CONNECT's password, or null.
     * @param peer            the client certificate the handshake verified, or null.
     * @param tls             the listener's TLS, when {@code peer} is set.
     * @return completes with the principal, or fails with {@link GatewayAuthenticationException} (a bad user name
     *         or password) or a {@link RefusedException} (which names its reason code).
     */
    static CompletionStage<String> principal(
        final GatewayAuthenticator authenticator,
        final boolean bearerPasswords,
        final String userName,
        final byte[] password,
        final X509Certificate peer,
        final ClientTlsContext tls)
    {
        if (password != null)
        {
            final String text = new String(password, StandardCharsets.UTF_8);
            if (bearerPasswords && looksLikeJwt(text))
            {
                return authenticator.bearer(text);
            }
            if (userName == null)
            {
                return refused(MqttReplies.BAD_USER_NAME_OR_PASSWORD, "a password without a user name");
            }
            return authenticator.basic(userName, text);
        }
        if (userName != null)
        {
            return refused(MqttReplies.BAD_USER_NAME_OR_PASSWORD, "a user name without a password");
        }
        if (peer != null)
        {
            try
            {
                return CompletableFuture.completedFuture(authenticator.certificate(peer, tls));
            }
            catch (final GatewayAuthenticationException e)
            {
                return refused(MqttReplies.NOT_AUTHORIZED, e.getMessage());
            }
        }
        if (authenticator.anonymousAllowed())
        {
            return CompletableFuture.completedFuture(GatewayAuthenticator.ANONYMOUS);
        }
        return refused(MqttReplies.NOT_AUTHORIZED, "no credentials and anonymous clients are not allowed");
    }

    /**
     * The CONNACK reason code of a failed login.
     *
     * @param error the stage's failure.
     * @return its reason code.
     */
    static int reasonCode(final Throwable error)
    {
        Throwable cause = error;
        while (cause.getCause() != null && !(cause instanceof GatewayAuthenticationException) && !(cause instanceof RefusedException))
        {
            cause = cause.getCause();
        }
        if (cause instanceof RefusedException refused)
        {
            return refused.reasonCode();
        }
        return cause instanceof GatewayAuthenticationException ? MqttReplies.BAD_USER_NAME_OR_PASSWORD : MqttReplies.SERVER_UNAVAILABLE;
    }

    private static boolean looksLikeJwt(final String text)
    {
        // header.payload.signature, base64url: never a password a person types, rarely one a machine makes.
        final int first = text.indexOf('.');
        final int second = first < 0 ? -1 : text.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && second < text.length() - 1 && text.indexOf('.', second + 1) < 0 &&
            text.startsWith("eyJ");
    }

    private static CompletionStage<String> refused(final int reasonCode, final String message)
    {
        return CompletableFuture.failedFuture(new RefusedException(reasonCode, message));
    }
}
