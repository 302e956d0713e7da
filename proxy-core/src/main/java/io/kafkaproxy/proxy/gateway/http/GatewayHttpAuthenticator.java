package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.config.GatewayAuthConfig;
import io.kafkaproxy.proxy.gateway.GatewayAuthenticationException;
import io.kafkaproxy.proxy.gateway.GatewayAuthenticator;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.kafkaproxy.proxy.gateway.settings.GatewaySettings;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The HTTP listener's identity stage over the gateway's {@link GatewayAuthenticator} and {@code http.auth}: an
 * {@code Authorization: Basic} user and password (the users file), an {@code Authorization: Bearer} JWT (the
 * {@code oauthbearer} section), else the client certificate of the TLS connection (its principal by
 * {@code http.tls.principalMappingRules}), else {@code ANONYMOUS} where {@code allowAnonymous} says so.
 *
 * <p>A refusal carries the challenge of what the listener accepts ({@code WWW-Authenticate: Basic realm="kafka-proxy"},
 * {@code Bearer realm="kafka-proxy"}) and a generic message: why exactly (unknown user, wrong password, expired token)
 * is for the log at DEBUG, never for the client.
 *
 * <p>Stateless and shared by every connection; the settings are read from the current snapshot at each request, so a
 * reload's users and keys apply to the next request.
 */
final class GatewayHttpAuthenticator implements HttpRequestAuthenticator
{
    private static final Logger LOGGER = LoggerFactory.getLogger(GatewayHttpAuthenticator.class);
    private static final String REALM = " realm=\"kafka-proxy\"";
    private static final String BASIC = "Basic ";
    private static final String BEARER = "Bearer ";

    private final GatewayServices services;

    GatewayHttpAuthenticator(final GatewayServices services)
    {
        this.services = services;
    }

    @Override
    public CompletionStage<Authentication> authenticate(final HttpRequest request, final Channel connection)
    {
        final GatewaySettings gateway = services.snapshot().gateway();
        final GatewayAuthConfig auth = gateway.httpCredentials().settings();
        if (auth.usersFile() == null && auth.oauthbearer() == null && gateway.httpTls() == null)
        {
            // Nothing to check anything against: every request is anonymous, whatever it presents.
            return CompletableFuture.completedFuture(Authentication.of(ANONYMOUS));
        }
        final String challenge = challenge(auth);
        final String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null)
        {
            return credentials(authorization, auth, challenge);
        }
        final X509Certificate peer = peerCertificate(gateway.httpTls(), connection);
        if (peer != null)
        {
            try
            {
                final String principal = services.httpAuthenticator().certificate(peer, gateway.httpTls());
                return CompletableFuture.completedFuture(Authentication.of(principal));
            }
            catch (final GatewayAuthenticationException e)
            {
                return CompletableFuture.completedFuture(refused(e, challenge));
            }
        }
        if (auth.allowAnonymous())
        {
            return CompletableFuture.completedFuture(Authentication.of(ANONYMOUS));
        }
        return CompletableFuture.completedFuture(Authentication.refused("authentication required", challenge));
    }

    private CompletionStage<Authentication> credentials(final String authorization, final GatewayAuthConfig auth, final String challenge)
    {
        final CompletionStage<String> principal;
        if (startsWithIgnoreCase(authorization, BASIC) && auth.usersFile() != null)
        {
            final String decoded;
            try
            {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()), StandardCharsets.UTF_8);
            }
            catch (final IllegalArgumentException e)
            {
                return CompletableFuture.completedFuture(Authentication.refused("malformed Basic credentials", challenge));
            }
            final int colon = decoded.indexOf(':');
            if (colon < 0)
            {
                return CompletableFuture.completedFuture(Authentication.refused("malformed Basic credentials", challenge));
            }
            principal = services.httpAuthenticator().basic(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        else if (startsWithIgnoreCase(authorization, BEARER) && auth.oauthbearer() != null)
        {
            principal = services.httpAuthenticator().bearer(authorization.substring(BEARER.length()).trim());
        }
        else
        {
            return CompletableFuture.completedFuture(Authentication.refused("unsupported authorization scheme", challenge));
        }
        return principal.handle((name, error) -> error == null ? Authentication.of(name) : refused(error, challenge));
    }

    private static Authentication refused(final Throwable error, final String challenge)
    {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (LOGGER.isDebugEnabled())
        {
            LOGGER.atDebug().addKeyValue("error", String.valueOf(cause.getMessage())).log("HTTP credentials refused");
        }
        return Authentication.refused("authentication failed", challenge);
    }

    private static String challenge(final GatewayAuthConfig auth)
    {
        if (auth.usersFile() != null && auth.oauthbearer() != null)
        {
            return "Basic" + REALM + ", Bearer" + REALM;
        }
        if (auth.oauthbearer() != null)
        {
            return "Bearer" + REALM;
        }
        // A listener of client certificates only still names Basic: the challenge must name some scheme.
        return "Basic" + REALM;
    }

    private static X509Certificate peerCertificate(final ClientTlsContext tls, final Channel connection)
    {
        if (tls == null)
        {
            return null;
        }
        final SslHandler ssl = connection.pipeline().get(SslHandler.class);
        if (ssl == null)
        {
            return null;
        }
        try
        {
            final Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        }
        catch (final SSLPeerUnverifiedException noCertificate)
        {
            return null;
        }
    }

    private static boolean startsWithIgnoreCase(final String text, final String prefix)
    {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
