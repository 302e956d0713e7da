package io.kafkaproxy.proxy.request;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What the policy made of one request: pass it as read, forward a replacement, answer it itself, drop it, or reject
 * the connection; with the change owed to the broker's response, if any.
 *
 * <p>One instance per event loop (see {@link EventLoopFlyweights}), reset for each request and read by the connection
 * in the same callback. Ownership of {@link #frame()} moves to whoever reads it after a {@link #FORWARD} or an
 * {@link #ANSWER}. Confined to its event loop.
 */
public final class RequestDecision
{
    /** Forward the request as read. */
    public static final int PASS = 0;
    /** Forward {@link #frame()} instead, applying {@link #amendment()} to its response. */
    public static final int FORWARD = 1;
    /** Answer with {@link #frame()}, the proxy's own response. */
    public static final int ANSWER = 2;
    /** Nothing to send: an acks=0 Produce whose topics were all denied. */
    public static final int DROP = 3;
    /** The client is over a connection limit: close the connection. */
    public static final int REJECT = 4;

    private int kind;
    private ByteBuf frame;
    private ResponseAmendment amendment;
    private ApiMessage answer;
    private int deniedPartitions;

    RequestDecision()
    {
    }

    /**
     * Starts the decision of a new request: {@link #PASS}, with nothing owed.
     *
     * @return this.
     */
    public RequestDecision reset()
    {
        kind = PASS;
        frame = null;
        amendment = null;
        answer = null;
        deniedPartitions = 0;
        return this;
    }

    /**
     * Forward a replacement request.
     *
     * @param replacement       the request to send instead; ownership moves to the decision.
     * @param responseAmendment the change owed to its response, or null.
     */
    public void forward(final ByteBuf replacement, final ResponseAmendment responseAmendment)
    {
        kind = FORWARD;
        frame = replacement;
        amendment = responseAmendment;
    }

    /**
     * Answer the request with a response message, not yet framed.
     *
     * @param response the response body.
     */
    public void answer(final ApiMessage response)
    {
        kind = ANSWER;
        answer = response;
    }

    /**
     * Answer the request with a framed response, replacing a message given to {@link #answer(ApiMessage)}.
     *
     * @param response the response frame, size field first; ownership moves to the decision.
     */
    public void answerFrame(final ByteBuf response)
    {
        kind = ANSWER;
        frame = response;
        answer = null;
    }

    /**
     * Send nothing.
     */
    public void drop()
    {
        kind = DROP;
    }

    /**
     * Close the connection.
     *
     * @return this.
     */
    public RequestDecision reject()
    {
        kind = REJECT;
        return this;
    }

    /**
     * Owe a change to the response of a request that passes as read.
     *
     * @param responseAmendment the change.
     */
    public void amendResponse(final ResponseAmendment responseAmendment)
    {
        amendment = responseAmendment;
    }

    /**
     * Records how many partitions the decision took out of the request.
     *
     * @param count the denied partitions.
     */
    public void deniedPartitions(final int count)
    {
        deniedPartitions = count;
    }

    /**
     * The decision.
     *
     * @return {@link #PASS}, {@link #FORWARD}, {@link #ANSWER}, {@link #DROP} or {@link #REJECT}.
     */
    public int kind()
    {
        return kind;
    }

    /**
     * The request to forward or the answer to send.
     *
     * @return the frame after {@link #FORWARD} or a framed {@link #ANSWER}, else null.
     */
    public ByteBuf frame()
    {
        return frame;
    }

    /**
     * The change owed to the broker's response.
     *
     * @return the amendment, or null.
     */
    public ResponseAmendment amendment()
    {
        return amendment;
    }

    /**
     * The answer given as a message, before it is framed.
     *
     * @return the response message, or null.
     */
    public ApiMessage answer()
    {
        return answer;
    }

    /**
     * How many partitions the decision took out of the request.
     *
     * @return the denied partitions.
     */
    public int deniedPartitions()
    {
        return deniedPartitions;
    }
}
