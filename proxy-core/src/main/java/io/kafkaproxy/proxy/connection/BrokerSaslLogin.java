package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * The proxy's own SASL login on one broker connection ({@code upstream.sasl}), before anything of the client's is
 * forwarded: the exchange a Kafka client makes, with correlation ids of its own, whose answers are consumed here and
 * never reach the client.
 *
 * <pre>
 *   proxy                                  broker
 *   SaslHandshake v1 {mechanism}      ─►
 *                                     ◄─   {error_code, mechanisms}
 *   SaslAuthenticate v0 {auth_bytes}  ─►                 (PLAIN: one round; SCRAM: client-first, client-final)
 *                                     ◄─   {error_code, error_message, auth_bytes}
 *   ... until the SASL client is complete (SCRAM: the server's signature checked) ─► DONE
 * </pre>
 *
 * <p>SaslAuthenticate v0 on purpose: a broker ends a session at {@code connections.max.reauth.ms} (KIP-368) only for
 * clients that sent v1 or later, and the proxy does not re-authenticate its broker connections; v0 is answered by
 * every broker since Kafka 1.0. The SASL clients are Kafka's ({@link ScramSaslClient}) and the JDK's (PLAIN), as
 * Kafka's own {@code SaslClientAuthenticator} uses them. SCRAM's key derivation (4096 iterations and more) runs on
 * the event loop, once per broker connection.
 *
 * <p>Public for the failover probes ({@code proxy.failover}), which log in to each upstream the same way.
 *
 * <p>Per broker connection; confined to the event loop its client and broker channels share.
 */
public final class BrokerSaslLogin
{
    /** The login goes on: another answer of the broker is awaited. */
    public static final int IN_PROGRESS = 0;
    /** The broker accepted the login: the connection may forward. */
    public static final int DONE = 1;
    /** The broker refused the login, or answered what the login cannot use; see {@link #failure()}. */
    public static final int FAILED = 2;

    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 0;
    // Nothing of the client's is in flight yet, so any ids do; these read as the proxy's own in a broker's request log.
    private static final int FIRST_CORRELATION_ID = 0x7fff0000;
    private static final String CLIENT_ID = "kafka-proxy";

    // Writes one frame to the broker and flushes it: all a login needs of its connection, so the proxy's other own
    // connections (failover probes, the mirror's shadow connections) log in without posing as a BrokerLink.
    private final Consumer<ByteBuf> broker;
    private final BrokerLoginCredentials credentials;
    private final String brokerKey;
    private SaslClient saslClient;
    private int correlationId = FIRST_CORRELATION_ID;
    private boolean handshakeDone;
    private String failure;

    /**
     * Prepares the login of one broker connection.
     *
     * @param broker      writes and flushes a frame on the broker connection, made (and TLS handshaken) but not yet
     *                    used.
     * @param credentials the proxy's credentials.
     * @param brokerKey   the broker's {@code host:port}, the SASL server name.
     */
    public BrokerSaslLogin(final Consumer<ByteBuf> broker, final BrokerLoginCredentials credentials, final String brokerKey)
    {
        this.broker = broker;
        this.credentials = credentials;
        this.brokerKey = brokerKey;
    }

    /**
     * Sends the SaslHandshake request.
     */
    public void start()
    {
        send(ApiKeyIds.SASL_HANDSHAKE, HANDSHAKE_VERSION,
            new SaslHandshakeRequestData().setMechanism(credentials.mechanism().mechanismName()));
    }

    /**
     * Takes the broker's answer to the login's latest request, and sends the next one if the login goes on.
     *
     * @param frame the response, size field first; released here.
     * @return {@link #IN_PROGRESS}, {@link #DONE} or {@link #FAILED}.
     */
    public int onResponse(final ByteBuf frame)
    {
        try
        {
            final ByteBuffer response = frame.nioBuffer(frame.readerIndex() + FrameDescriptor.SIZE_FIELD_LENGTH,
                frame.readableBytes() - FrameDescriptor.SIZE_FIELD_LENGTH);
            // Both answers have response header v0: the correlation id alone.
            final int answered = response.getInt();
            if (answered != correlationId)
            {
                return fail("broker answered a request the login did not send: brokerCorrelationId=" + answered);
            }
            return handshakeDone ? onAuthenticateResponse(response) : onHandshakeResponse(response);
        }
        catch (final SaslException e)
        {
            return fail("SASL client failed: " + e.getMessage());
        }
        catch (final RuntimeException e)
        {
            // A malformed answer, as the generated readers report it.
            return fail("broker sent a malformed answer to the login: " + e);
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Why the login failed: the broker's error message where it sent one.
     *
     * @return the reason, or null while the login has not failed.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * The user the proxy logs in as, for logs.
     *
     * @return the user name.
     */
    String username()
    {
        return credentials.username();
    }

    /**
     * Lets go of the SASL client's state (its password copy); called once the login ended either way.
     */
    public void dispose()
    {
        if (saslClient != null)
        {
            try
            {
                saslClient.dispose();
            }
            catch (final SaslException e)
            {
                // Nothing is held that a failed dispose would leak.
            }
            saslClient = null;
        }
    }

    private int onHandshakeResponse(final ByteBuffer response) throws SaslException
    {
        final SaslHandshakeResponseData handshake = new SaslHandshakeResponseData(new ByteBufferAccessor(response), HANDSHAKE_VERSION);
        if (handshake.errorCode() != Errors.NONE.code())
        {
            return fail("broker does not take mechanism " + credentials.mechanism().mechanismName() + ": error=" +
                Errors.forCode(handshake.errorCode()).name() + ", enabledMechanisms=" + handshake.mechanisms());
        }
        handshakeDone = true;
        saslClient = newSaslClient();
        final byte[] initial = saslClient.hasInitialResponse() ? saslClient.evaluateChallenge(new byte[0]) : new byte[0];
        sendAuthenticate(initial);
        return IN_PROGRESS;
    }

    private int onAuthenticateResponse(final ByteBuffer response) throws SaslException
    {
        final SaslAuthenticateResponseData authenticate =
            new SaslAuthenticateResponseData(new ByteBufferAccessor(response), AUTHENTICATE_VERSION);
        if (authenticate.errorCode() != Errors.NONE.code())
        {
            return fail(authenticate.errorMessage() != null ? authenticate.errorMessage() :
                Errors.forCode(authenticate.errorCode()).name());
        }
        if (!saslClient.isComplete())
        {
            final byte[] token = saslClient.evaluateChallenge(authenticate.authBytes());
            if (token != null && !saslClient.isComplete())
            {
                sendAuthenticate(token);
                return IN_PROGRESS;
            }
        }
        if (!saslClient.isComplete())
        {
            return fail("SASL client not complete and has nothing to send");
        }
        dispose();
        return DONE;
    }

    private SaslClient newSaslClient() throws SaslException
    {
        final CallbackHandler callbacks = this::handle;
        if (credentials.mechanism() == BrokerSaslMechanism.PLAIN)
        {
            final SaslClient plain = Sasl.createSaslClient(new String[] {"PLAIN"}, null, "kafka", brokerKey, Map.of(), callbacks);
            if (plain == null)
            {
                throw new SaslException("no PLAIN SASL client in this JVM");
            }
            return plain;
        }
        try
        {
            return new ScramSaslClient(ScramMechanism.forMechanismName(credentials.mechanism().mechanismName()), callbacks);
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new SaslException("no hash for " + credentials.mechanism().mechanismName() + " in this JVM", e);
        }
    }

    private void handle(final Callback[] callbacks) throws UnsupportedCallbackException
    {
        for (final Callback callback : callbacks)
        {
            if (callback instanceof NameCallback)
            {
                ((NameCallback)callback).setName(credentials.username());
            }
            else if (callback instanceof PasswordCallback)
            {
                ((PasswordCallback)callback).setPassword(credentials.password().toCharArray());
            }
            else if (!(callback instanceof ScramExtensionsCallback))
            {
                // SCRAM asks for extensions, which the proxy has none of: the callback's default is empty.
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private void sendAuthenticate(final byte[] authBytes)
    {
        send(ApiKeyIds.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, new SaslAuthenticateRequestData().setAuthBytes(authBytes));
    }

    private void send(final short apiKey, final short apiVersion, final ApiMessage body)
    {
        correlationId++;
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId(CLIENT_ID), ApiHeaderVersions.requestHeaderVersion(apiKey, apiVersion)).buffer();
        final ByteBuffer bodyBytes = MessageUtil.toByteBufferAccessor(body, apiVersion).buffer();
        // Once or a few times per broker connection: a heap buffer is fine here.
        broker.accept(Unpooled.buffer(FrameDescriptor.SIZE_FIELD_LENGTH + header.remaining() + bodyBytes.remaining())
            .writeInt(header.remaining() + bodyBytes.remaining())
            .writeBytes(header)
            .writeBytes(bodyBytes));
    }

    private int fail(final String reason)
    {
        failure = reason;
        dispose();
        return FAILED;
    }
}
