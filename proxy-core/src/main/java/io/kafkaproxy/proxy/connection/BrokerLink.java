package io.kafkaproxy.proxy.connection;

import io.netty.buffer.ByteBuf;

import java.net.SocketAddress;

/**
 * The broker side of a proxied connection, as the state machine sees it: where requests go, whose reads it pauses
 * and resumes, whose writability it watches.
 *
 * <p>The seam for other broker sides: a produce mirror is a link that tees each request to a second link, and a
 * connection to another cluster is a link made by another connector; the state machine does not change. Today's
 * one implementation is {@link NettyBrokerLink}, over one broker channel. Called on the client channel's event loop
 * only.
 */
public interface BrokerLink
{
    /**
     * Writes a request without flushing it.
     *
     * @param frame the request, size field first; ownership moves to the link.
     */
    void write(ByteBuf frame);

    /**
     * Flushes the requests written.
     */
    void flush();

    /**
     * Stops reading responses for a reason (see {@link ReadGate}'s reason bits).
     *
     * @param reason one reason bit.
     */
    void closeReads(int reason);

    /**
     * Clears a reason to stop reading, resuming reads if it was the last.
     *
     * @param reason one reason bit.
     */
    void openReads(int reason);

    /**
     * Whether the link takes more requests without queueing past its high-water mark.
     *
     * @return true if writable.
     */
    boolean isWritable();

    /**
     * The broker's address, for logs.
     *
     * @return the remote address, or null when not connected.
     */
    SocketAddress remoteAddress();

    /**
     * Closes the link.
     */
    void close();
}
