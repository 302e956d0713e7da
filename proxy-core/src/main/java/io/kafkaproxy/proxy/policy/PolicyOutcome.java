package io.kafkaproxy.proxy.policy;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What the policy made of one request on a rare path: a request to forward instead, an answer of its own, or
 * nothing to send. Reused for every request of an event loop; confined to it.
 */
final class PolicyOutcome
{
    static final int PASS = 0;
    static final int FORWARD = 1;
    static final int ANSWER = 2;
    static final int DROP = 3;

    private int kind;
    private ByteBuf frame;
    private ResponseAmendment amendment;
    private ApiMessage answer;
    private int deniedPartitions;

    void reset()
    {
        kind = PASS;
        frame = null;
        amendment = null;
        answer = null;
        deniedPartitions = 0;
    }

    void forward(final ByteBuf replacement, final ResponseAmendment responseAmendment)
    {
        kind = FORWARD;
        frame = replacement;
        amendment = responseAmendment;
    }

    void answer(final ApiMessage response)
    {
        kind = ANSWER;
        answer = response;
    }

    void drop()
    {
        kind = DROP;
    }

    void amendResponse(final ResponseAmendment responseAmendment)
    {
        amendment = responseAmendment;
    }

    void deniedPartitions(final int count)
    {
        deniedPartitions = count;
    }

    int kind()
    {
        return kind;
    }

    ByteBuf frame()
    {
        return frame;
    }

    ResponseAmendment amendment()
    {
        return amendment;
    }

    ApiMessage answer()
    {
        return answer;
    }

    int deniedPartitions()
    {
        return deniedPartitions;
    }
}
