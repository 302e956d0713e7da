package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;

import java.util.Collection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The skeleton of a request split by topic (Produce, Fetch): denied topics leave the request, each remembered as the
 * response entry a broker would give it, and those entries go back into the broker's answer.
 *
 * <p>Rare path only, read and written with Kafka's generated classes.
 *
 * @param <Q> the request.
 * @param <T> a topic entry of the request.
 * @param <R> a topic entry of the response.
 * @param <D> the response.
 */
abstract class TopicDenials<Q extends ApiMessage, T, R extends Message, D extends ApiMessage> implements ResponseAmendment
{
    /** From this version on, Produce and Fetch name topics by id. */
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final List<R> denied = new ArrayList<>();

    /**
     * Splits a request with at least one denied topic.
     *
     * @param alloc      allocates the new frame.
     * @param frame      the request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiVersion its version.
     * @param verdicts   decides each topic.
     * @param outcome    receives the outcome.
     */
    final void split(
        final ByteBufAllocator alloc,
        final ByteBuf frame,
        final int bodyOffset,
        final short apiVersion,
        final TopicVerdicts verdicts,
        final RequestDecision outcome)
    {
        final Q request = KafkaMessageFrames.read(frame, bodyOffset, apiVersion, body -> parseRequest(body, apiVersion));
        outcome.deniedPartitions(removeDenied(topics(request).iterator(), apiVersion >= FIRST_TOPIC_ID_VERSION, verdicts));
        decide(alloc, frame, bodyOffset, apiVersion, request, outcome);
    }

    /**
     * Takes the denied topics out of a request's topic list and remembers their answers.
     *
     * @param topics   the request's topic entries; denied ones are removed.
     * @param byId     whether the request names topics by id.
     * @param verdicts decides each topic.
     * @return how many partitions were denied.
     */
    private int removeDenied(final Iterator<T> topics, final boolean byId, final TopicVerdicts verdicts)
    {
        int deniedPartitions = 0;
        while (topics.hasNext())
        {
            final T topic = topics.next();
            final short error = verdicts.errorFor(byId ? null : name(topic), byId ? id(topic) : Uuid.ZERO_UUID);
            if (error == Errors.NONE.code())
            {
                continue;
            }
            topics.remove();
            final R answer = deniedAnswer(topic, error);
            deniedPartitions += partitionCount(answer);
            denied.add(answer);
        }
        return deniedPartitions;
    }

    /**
     * Adds the denied topics' answers to a response.
     *
     * @param response the response.
     * @return the same response.
     */
    @SuppressWarnings("unchecked")
    final D merged(final D response)
    {
        final Collection<R> entries = responses(response);
        for (final R topic : denied)
        {
            entries.add((R)topic.duplicate());
        }
        return response;
    }

    @Override
    public final ByteBuf amend(final ByteBufAllocator alloc, final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        try
        {
            final D data = KafkaMessageFrames.read(response, bodyOffset, apiVersion, body -> parseResponse(body, apiVersion));
            return KafkaMessageFrames.withBody(alloc, response, bodyOffset, merged(data), apiVersion);
        }
        finally
        {
            response.release();
        }
    }

    /**
     * Decides what becomes of a request once its denied topics are out of it.
     *
     * @param alloc      allocates the new frame.
     * @param frame      the original request, size field first; not released here.
     * @param bodyOffset where its body starts.
     * @param apiVersion its version.
     * @param request    the request without its denied topics.
     * @param outcome    receives the outcome.
     */
    abstract void decide(ByteBufAllocator alloc, ByteBuf frame, int bodyOffset, short apiVersion, Q request, RequestDecision outcome);

    abstract Q parseRequest(ByteBufferAccessor body, short apiVersion);

    abstract Collection<T> topics(Q request);

    abstract String name(T topic);

    abstract Uuid id(T topic);

    abstract R deniedAnswer(T topic, short error);

    abstract int partitionCount(R answer);

    abstract D parseResponse(ByteBufferAccessor body, short apiVersion);

    abstract Collection<R> responses(D response);
}
