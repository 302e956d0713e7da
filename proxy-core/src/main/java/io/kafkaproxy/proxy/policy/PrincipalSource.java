package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.DecodedRequest;
import io.netty.buffer.ByteBuf;

/**
 * One place a connection's identity can come from: a TLS client certificate, a SASL login the proxy terminates, a
 * passthrough SASL login it watches, an HTTP credential, or the client.id as the last resort.
 *
 * <p>The {@link IdentityStage} asks its sources in order of precedence; the first that names a principal decides who
 * the connection is, and sources after it are not consulted. A source that knows the principal when the connection
 * is accepted (a certificate) only implements {@link #principal()}. Confined to the connection's event loop.
 */
public interface PrincipalSource
{
    /**
     * Sees a request before it is decided.
     *
     * @param request the request, decoded once.
     */
    default void onRequest(final DecodedRequest request)
    {
    }

    /**
     * Sees the broker's response to a request on its way to the client.
     *
     * @param apiKey     the request's api key.
     * @param response   the response, size field first; not released here.
     * @param bodyOffset where its body starts, from the reader index.
     */
    default void onResponse(final short apiKey, final ByteBuf response, final int bodyOffset)
    {
    }

    /**
     * Whether {@link #onResponse} reads the responses of an api: those are assembled whole for it, never streamed to
     * the client as they arrive (cut-through), which would show it only their head.
     *
     * @param apiKey the request's api key.
     * @return true if it reads them; false by default, for a source that reads no response.
     */
    default boolean readsResponse(final short apiKey)
    {
        return false;
    }

    /**
     * The principal this source names now.
     *
     * @return the name, or null while this source has none.
     */
    String principal();
}
