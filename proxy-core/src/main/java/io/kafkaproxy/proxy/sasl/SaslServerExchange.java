package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.SaslMechanism;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One connection's SASL logins, checked the way a Kafka broker checks them: a SaslHandshake picks the mechanism, and
 * each SaslAuthenticate token goes to Kafka's own SASL server for it ({@code PlainSaslServer}, {@code ScramSaslServer},
 * {@code OAuthBearerSaslServer}) with this package's callback handlers over the listener's credentials. Failures carry
 * the broker's error messages. After a login, a new handshake and authenticate on the same connection re-authenticate
 * (KIP-368): the mechanism and the principal must stay the same.
 *
 * <pre>
 *   no login --handshake(enabled mechanism)--> exchanging --authenticate...--> logged in (principal, session lifetime)
 *   logged in --handshake--> exchanging (re-authentication) --authenticate...--> logged in
 *   any --handshake(other mechanism) or a failed authenticate--> failed (the connection closes)
 * </pre>
 *
 * <p>{@link #onHandshake} runs on the connection's event loop; {@link #authenticate} may run on a
 * {@link SaslLoginExecutor} thread (it hashes). The connection calls them one at a time and hands the exchange from
 * its event loop to the executor and back through {@code execute}, which orders every access to the fields here.
 */
public final class SaslServerExchange
{
    /** The principal type of every principal the proxy names, as Kafka writes it in its messages. */
    private static final String USER_TYPE = "User";

    private final Supplier<SaslCredentials> credentials;
    private SaslCredentials handshakeCredentials;
    private SaslMechanism mechanism;
    private SaslServer server;
    private JwtValidatorCallbackHandler jwtValidator;
    private String refusedReauthMechanism;
    private SaslMechanism loggedInMechanism;
    private String principal;

    /**
     * The outcome of one SaslAuthenticate token.
     *
     * @param errorCode         NONE or SASL_AUTHENTICATION_FAILED.
     * @param errorMessage      the message for the client, or null.
     * @param challenge         the server's next token (the last one when complete), never null.
     * @param complete          whether the login succeeded with this token.
     * @param principal         the principal logged in, when complete.
     * @param sessionLifetimeMs the session's lifetime (KIP-368), 0 for none; when complete.
     * @param detail            why a login failed, for the proxy's log only (never sent), or null.
     */
    public record Step(short errorCode, String errorMessage, byte[] challenge, boolean complete, String principal,
        long sessionLifetimeMs, String detail)
    {
    }

    /**
     * Creates the exchange of one connection.
     *
     * @param credentials the listener's credentials now; read at each handshake, so a re-authentication after a
     *                    reload checks the reloaded files.
     */
    public SaslServerExchange(final Supplier<SaslCredentials> credentials)
    {
        this.credentials = credentials;
    }

    /**
     * A SaslHandshake (v1) names the mechanism of the next login.
     *
     * @param mechanismName the mechanism the client asks for.
     * @return NONE, or UNSUPPORTED_SASL_MECHANISM when it is not enabled (the connection then closes).
     */
    public Errors onHandshake(final String mechanismName)
    {
        disposeServer();
        handshakeCredentials = credentials.get();
        refusedReauthMechanism = null;
        if (loggedInMechanism != null && !loggedInMechanism.mechanismName().equals(mechanismName))
        {
            // As the broker: the handshake is answered, the authenticate that follows fails.
            refusedReauthMechanism = mechanismName;
            return Errors.NONE;
        }
        final SaslMechanism requested = SaslMechanism.fromName(mechanismName);
        if (requested == null || handshakeCredentials == null || !handshakeCredentials.settings().enables(requested))
        {
            return Errors.UNSUPPORTED_SASL_MECHANISM;
        }
        mechanism = requested;
        server = newServer(requested, handshakeCredentials);
        return Errors.NONE;
    }

    /**
     * Whether a handshake was answered and its login is not finished: a SaslAuthenticate is expected.
     *
     * @return true while exchanging.
     */
    public boolean isExchanging()
    {
        return server != null || refusedReauthMechanism != null;
    }

    /**
     * The mechanisms enabled now, as a SaslHandshake response lists them.
     *
     * @return the names.
     */
    public java.util.List<String> enabledMechanisms()
    {
        final SaslCredentials current = handshakeCredentials != null ? handshakeCredentials : credentials.get();
        return current == null ? java.util.List.of() : current.mechanismNames();
    }

    /**
     * The mechanism of the login being exchanged, or of the last one.
     *
     * @return its name, or null before any handshake named an enabled mechanism.
     */
    public String mechanismName()
    {
        return mechanism == null ? null : mechanism.mechanismName();
    }

    /**
     * The principal logged in.
     *
     * @return the name, or null before the first login.
     */
    public String principal()
    {
        return principal;
    }

    /**
     * Checks one SaslAuthenticate token.
     *
     * @param token    the auth bytes; never logged.
     * @param nowMillis the wall-clock time now (session lifetimes end with a token's {@code exp}).
     * @return the outcome.
     */
    public Step authenticate(final byte[] token, final long nowMillis)
    {
        final boolean reauthenticating = loggedInMechanism != null;
        final String during = reauthenticating ? "re-authentication" : "authentication";
        if (refusedReauthMechanism != null)
        {
            final String message = String.format("SASL mechanism '%s' requested by client is not supported for re-authentication " +
                "of mechanism '%s'", refusedReauthMechanism, loggedInMechanism.mechanismName());
            refusedReauthMechanism = null;
            return failed(message, null);
        }
        final byte[] challenge;
        try
        {
            challenge = server.evaluateResponse(token);
        }
        catch (final SaslAuthenticationException e)
        {
            return failed(e.getMessage(), jwtValidator == null ? null : jwtValidator.rejection());
        }
        catch (final SaslException e)
        {
            return failed("Authentication failed during " + during + " due to invalid credentials with SASL mechanism " +
                mechanism.mechanismName(), e.getMessage());
        }
        if (!server.isComplete())
        {
            return new Step(Errors.NONE.code(), null, challenge == null ? new byte[0] : challenge, false, null, 0, null);
        }
        final String name = server.getAuthorizationID();
        if (reauthenticating && !name.equals(principal))
        {
            return failed(String.format("Cannot change principals during re-authentication from %s.%s: %s.%s",
                USER_TYPE, principal, USER_TYPE, name), null);
        }
        final long lifetimeMs = sessionLifetimeMs(nowMillis);
        disposeServer();
        principal = name;
        loggedInMechanism = mechanism;
        return new Step(Errors.NONE.code(), null, challenge == null ? new byte[0] : challenge, true, name, lifetimeMs, null);
    }

    private long sessionLifetimeMs(final long nowMillis)
    {
        final long configured = handshakeCredentials.settings().sessionLifetime().toMillis();
        if (configured <= 0)
        {
            // As the broker without connections.max.reauth.ms: no session expiry, whatever the credential's own.
            return 0;
        }
        final Object credentialEnd = server.getNegotiatedProperty(SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY);
        if (credentialEnd instanceof Long endMillis)
        {
            return Math.max(1, Math.min(configured, endMillis - nowMillis));
        }
        return configured;
    }

    private Step failed(final String message, final String detail)
    {
        disposeServer();
        return new Step(Errors.SASL_AUTHENTICATION_FAILED.code(), message, new byte[0], false, null, 0, detail);
    }

    private SaslServer newServer(final SaslMechanism requested, final SaslCredentials current)
    {
        jwtValidator = null;
        switch (requested)
        {
            case PLAIN:
                return new PlainSaslServer(new PlainCredentialCallbackHandler(current.plainUsers()));
            case SCRAM_SHA_256:
            case SCRAM_SHA_512:
                try
                {
                    return new ScramSaslServer(ScramMechanism.forMechanismName(requested.mechanismName()), Map.of(),
                        new ScramCredentialCallbackHandler(current.scramUsers(), requested));
                }
                catch (final NoSuchAlgorithmException e)
                {
                    // Every Java 17 runtime has SHA-256 and SHA-512.
                    throw new IllegalStateException("no digest for " + requested.mechanismName(), e);
                }
            default:
                jwtValidator = new JwtValidatorCallbackHandler(current.jwks(), current.settings().oauthbearer());
                return new OAuthBearerSaslServer(jwtValidator);
        }
    }

    private void disposeServer()
    {
        if (server != null)
        {
            try
            {
                server.dispose();
            }
            catch (final SaslException e)
            {
                // Kafka's servers only drop references here; nothing to report.
            }
            server = null;
        }
    }
}
