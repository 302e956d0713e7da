package io.kafkaproxy.proxy.request;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A change the proxy owes the broker's answer to one request: the denied topics it took out of the request go
 * back into the response with their authorization error, denied topics leave a Metadata response.
 *
 * <p>Made on the rare path of a request with something denied, kept with that request in flight, applied on the
 * connection's event loop to the response.
 */
public interface ResponseAmendment
{
    /**
     * Applies the change.
     *
     * @param alloc      allocates a rewritten response.
     * @param response   the response frame, size field first, addresses already rewritten; ownership moves here.
     * @param bodyOffset where its body starts, from the reader index.
     * @param apiVersion the request's version.
     * @return the frame to send, which may be {@code response} itself; owned by the caller.
     */
    ByteBuf amend(ByteBufAllocator alloc, ByteBuf response, int bodyOffset, short apiVersion);
}
