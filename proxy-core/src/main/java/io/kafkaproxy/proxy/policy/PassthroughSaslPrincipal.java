package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.sasl.SaslUsernames;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.Errors;

/**
 * The identity of a SASL login the broker checks: the proxy reads the username from the client's SaslAuthenticate
 * (PLAIN and SCRAM; not OAUTHBEARER or GSSAPI) without terminating SASL, and the username becomes the principal once
 * the broker answers that authentication without error.
 *
 * <p>Never logs or keeps the SASL bytes, only the username. Confined to the connection's event loop.
 */
final class PassthroughSaslPrincipal implements PrincipalSource
{
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private String saslMechanism;
    private String pendingUsername;
    private String principal;

    @Override
    public void onRequest(final DecodedRequest request)
    {
        final short apiKey = request.apiKey();
        if (apiKey == ApiKeyIds.SASL_HANDSHAKE)
        {
            // Our flyweight, not Kafka's generated class: a null or truncated mechanism must be a malformed frame.
            saslMechanism = flyweights.saslHandshake().wrap(request.view(), request.bodyOffset(), request.bodyLength()).mechanism();
            return;
        }
        if (apiKey != ApiKeyIds.SASL_AUTHENTICATE || saslMechanism == null)
        {
            return;
        }
        final UnsafeBuffer view = request.view();
        final SaslAuthenticateRequestFlyweight authenticate =
            flyweights.saslAuthenticate().wrap(view, request.bodyOffset(), request.bodyLength(), request.apiVersion());
        final String username;
        if ("PLAIN".equals(saslMechanism))
        {
            username = SaslUsernames.plainUsername(view, authenticate.authBytesOffset(), authenticate.authBytesLength());
        }
        else if (saslMechanism.startsWith("SCRAM-"))
        {
            username = SaslUsernames.scramUsername(view, authenticate.authBytesOffset(), authenticate.authBytesLength());
        }
        else
        {
            // OAUTHBEARER, GSSAPI: the principal stays what a later source names (the client.id).
            username = null;
        }
        if (username != null)
        {
            pendingUsername = username;
        }
    }

    @Override
    public void onResponse(final short apiKey, final ByteBuf response, final int bodyOffset)
    {
        if (apiKey == ApiKeyIds.SASL_AUTHENTICATE && pendingUsername != null &&
            response.getShort(response.readerIndex() + bodyOffset) == Errors.NONE.code())
        {
            principal = pendingUsername;
            pendingUsername = null;
        }
    }

    @Override
    public boolean readsResponse(final short apiKey)
    {
        return apiKey == ApiKeyIds.SASL_AUTHENTICATE;
    }

    @Override
    public String principal()
    {
        return principal;
    }
}
