package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.gateway.settings.GatewayCredentials;
import io.kafkaproxy.proxy.sasl.JwtVerifier;
import io.kafkaproxy.proxy.sasl.PlainPasswordHash;
import io.kafkaproxy.proxy.sasl.SaslLoginExecutor;
import io.kafkaproxy.proxy.tls.ClientTlsContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns what a gateway client presents (HTTP Basic or Bearer, MQTT user name and password, a client certificate) into
 * a principal, with the credentials of the current snapshot.
 *
 * <p>Password hashes (PBKDF2, tens of milliseconds by design) and JWT signatures are checked on the
 * {@code sasl-login} threads, never on an event loop. HTTP sends its credentials with every request, so a verified
 * user name and password, or a verified token, is remembered for a minute (a token no longer than its {@code exp}) by
 * its SHA-256 (never the secret itself), and forgotten when a reload brings new credentials.
 */
public final class GatewayAuthenticator
{
    /** The principal of a client that presents nothing, where that is allowed (Kafka's name for it). */
    public static final String ANONYMOUS = "ANONYMOUS";

    private static final long VERIFIED_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_VERIFIED = 10_000;

    private final Supplier<GatewayCredentials> credentials;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /**
     * An authenticator.
     *
     * @param credentials the current credentials of the listener, read at each call.
     */
    public GatewayAuthenticator(final Supplier<GatewayCredentials> credentials)
    {
        this.credentials = credentials;
    }

    /**
     * Whether a client that presents no credentials is served, as {@link #ANONYMOUS}.
     *
     * @return true if allowed.
     */
    public boolean anonymousAllowed()
    {
        return credentials.get().settings().allowAnonymous();
    }

    /**
     * Checks a user name and password against the users file.
     *
     * @param user     the user name.
     * @param password the password.
     * @return completes with the principal (the user name), or fails with {@link GatewayAuthenticationException}; on a
     *         {@code sasl-login} thread unless the answer was remembered.
     */
    public CompletionStage<String> basic(final String user, final String password)
    {
        final GatewayCredentials current = credentials.get();
        final String key = "user:" + digest(user, password);
        final String remembered = remembered(key, current);
        if (remembered != null)
        {
            return CompletableFuture.completedFuture(remembered);
        }
        final PlainPasswordHash hash = current.users().get(user);
        if (hash == null)
        {
            return CompletableFuture.failedFuture(new GatewayAuthenticationException(current.users().isEmpty() ?
                "no users file: user name and password are not accepted" : "unknown user " + user));
        }
        final CompletableFuture<String> result = new CompletableFuture<>();
        final boolean queued = SaslLoginExecutor.tryExecute(() ->
        {
            if (hash.matches(password.toCharArray()))
            {
                remember(key, new Verified(current, user, System.nanoTime() + VERIFIED_NANOS, Long.MAX_VALUE));
                result.complete(user);
            }
            else
            {
                result.completeExceptionally(new GatewayAuthenticationException("wrong password for user " + user));
            }
        });
        if (!queued)
        {
            result.completeExceptionally(new GatewayAuthenticationException("too many logins waiting to be checked"));
        }
        return result;
    }

    /**
     * Checks a JWT as an OAUTHBEARER login would be checked.
     *
     * @param jwt the compact JWT.
     * @return completes with the token's principal, or fails with {@link GatewayAuthenticationException}.
     */
    public CompletionStage<String> bearer(final String jwt)
    {
        final GatewayCredentials current = credentials.get();
        if (current.jwt() == null)
        {
            return CompletableFuture.failedFuture(new GatewayAuthenticationException("no oauthbearer section: tokens are not accepted"));
        }
        final String key = "token:" + digest("", jwt);
        final String remembered = remembered(key, current);
        if (remembered != null)
        {
            return CompletableFuture.completedFuture(remembered);
        }
        final CompletableFuture<String> result = new CompletableFuture<>();
        final boolean queued = SaslLoginExecutor.tryExecute(() ->
        {
            try
            {
                final JwtVerifier.Verified token = current.jwt().verify(jwt);
                remember(key, new Verified(current, token.principal(), System.nanoTime() + VERIFIED_NANOS, token.expiresAtMillis()));
                result.complete(token.principal());
            }
            catch (final SecurityException e)
            {
                result.completeExceptionally(new GatewayAuthenticationException("token refused: " + e.getMessage()));
            }
        });
        if (!queued)
        {
            result.completeExceptionally(new GatewayAuthenticationException("too many logins waiting to be checked"));
        }
        return result;
    }

    /**
     * The principal of a verified client certificate, by the listener's principal mapping rules.
     *
     * @param peer the certificate the TLS handshake verified.
     * @param tls  the listener's TLS.
     * @return the principal.
     * @throws GatewayAuthenticationException if the rules do not map the subject.
     */
    public String certificate(final X509Certificate peer, final ClientTlsContext tls)
    {
        try
        {
            return tls.principalName(peer);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new GatewayAuthenticationException("certificate subject not mapped: " + e.getMessage());
        }
    }

    private String remembered(final String key, final GatewayCredentials current)
    {
        final Verified remembered = verified.get(key);
        if (remembered == null || remembered.credentials != current || System.nanoTime() - remembered.untilNanos > 0 ||
            System.currentTimeMillis() >= remembered.expiresAtMillis)
        {
            return null;
        }
        return remembered.principal;
    }

    private void remember(final String key, final Verified entry)
    {
        if (verified.size() >= MAX_VERIFIED)
        {
            verified.clear();
        }
        verified.put(key, entry);
    }

    private static String digest(final String user, final String password)
    {
        try
        {
            final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(user.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte)0);
            return HexFormat.of().formatHex(sha256.digest(password.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private record Verified(GatewayCredentials credentials, String principal, long untilNanos, long expiresAtMillis)
    {
    }
}
