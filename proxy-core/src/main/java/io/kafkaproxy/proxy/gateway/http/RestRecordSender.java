package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayProducer;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands REST records to the gateway's producer and brings each outcome back to the request's event loop: the one
 * place where a REST record becomes a Kafka {@link ProducerRecord}, W3C trace context included (the request's
 * {@code traceparent} and {@code tracestate} headers become record headers of the same names).
 *
 * <p>Stateless; called on a request channel's event loop.
 */
final class RestRecordSender
{
    /** W3C Trace Context: the header carried into every record of the request. */
    static final String TRACEPARENT = "traceparent";
    /** W3C Trace Context: vendor state, carried beside {@link #TRACEPARENT}. */
    static final String TRACESTATE = "tracestate";

    /**
     * A record's outcome, on the request's event loop.
     */
    @FunctionalInterface
    interface Outcome
    {
        /**
         * The record was acknowledged, or failed.
         *
         * @param metadata where it was written; null on failure.
         * @param error    why it failed; null on success.
         */
        void onOutcome(RecordMetadata metadata, Exception error);
    }

    private RestRecordSender()
    {
    }

    /**
     * The trace headers of a request, to add to its records.
     *
     * @param request the request's headers.
     * @return the record headers; empty when the request carries no trace context.
     */
    static List<Header> traceHeaders(final HttpHeaders request)
    {
        final String traceparent = request.get(TRACEPARENT);
        if (traceparent == null)
        {
            return List.of();
        }
        final String tracestate = request.get(TRACESTATE);
        return tracestate == null ? List.of(new RecordHeader(TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII))) :
            List.of(new RecordHeader(TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(TRACESTATE, tracestate.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Hands one record over.
     *
     * @param producer     the gateway's producer.
     * @param loop         the request's event loop, where the outcome is reported.
     * @param topic        the topic.
     * @param partition    the partition, or null for the partitioner's choice.
     * @param record       the record.
     * @param traceHeaders the request's trace headers.
     * @param outcome      told of the outcome, once, on {@code loop}, when this returns true.
     * @return false when the producer's buffer is full: nothing was sent and {@code outcome} is not called.
     */
    static boolean send(
        final GatewayProducer producer,
        final EventExecutor loop,
        final String topic,
        final Integer partition,
        final RestRecord record,
        final List<Header> traceHeaders,
        final Outcome outcome)
    {
        final List<Header> headers;
        if (traceHeaders.isEmpty())
        {
            headers = record.headers();
        }
        else if (record.headers().isEmpty())
        {
            headers = traceHeaders;
        }
        else
        {
            headers = new ArrayList<>(record.headers());
            headers.addAll(traceHeaders);
        }
        final ProducerRecord<byte[], byte[]> producerRecord = new ProducerRecord<>(topic, partition, record.timestamp(), record.key(),
            record.value(), headers.isEmpty() ? null : headers);
        return producer.trySend(producerRecord, (metadata, error) -> loop.execute(() -> outcome.onOutcome(metadata, error)));
    }
}
