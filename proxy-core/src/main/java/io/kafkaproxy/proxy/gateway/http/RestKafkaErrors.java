package io.kafkaproxy.proxy.gateway.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps what Kafka's clients fail with to REST Proxy's answers: a missing topic is 404/40401, a retriable failure
 * (a timeout, no leader yet) 503/50003, any other Kafka failure 500/50002; and, per record of a produce answer, REST
 * Proxy v2's {@code error_code} 2 (retriable) or 1 (not). Stateless.
 */
final class RestKafkaErrors
{
    /** REST v2 per-record code: the record failed and retrying will not help. */
    static final int V2_NON_RETRIABLE = 1;
    /** REST v2 per-record code: the record failed and may succeed if retried. */
    static final int V2_RETRIABLE = 2;
    /** REST Proxy's message for a missing topic. */
    static final String TOPIC_NOT_FOUND = "Topic not found.";
    /** REST Proxy's message for a missing partition. */
    static final String PARTITION_NOT_FOUND = "Partition not found.";

    private RestKafkaErrors()
    {
    }

    /**
     * The failure inside a future's wrapping.
     *
     * @param error what a future failed with.
     * @return the cause the client's call failed with.
     */
    static Throwable unwrap(final Throwable error)
    {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Answers a request that failed on a Kafka call.
     *
     * @param exchange the request.
     * @param error    what the call failed with.
     */
    static void answer(final HttpExchange exchange, final Throwable error)
    {
        final Throwable cause = unwrap(error);
        if (cause instanceof UnknownTopicOrPartitionException)
        {
            exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, RestErrorBody.TOPIC_NOT_FOUND, "unknown_topic", TOPIC_NOT_FOUND);
        }
        else if (cause instanceof AuthorizationException)
        {
            exchange.respondError(HttpResponseStatus.FORBIDDEN, RestErrorBody.FORBIDDEN, "Not authorized: " + cause.getMessage());
        }
        else if (cause instanceof RetriableException)
        {
            exchange.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, RestErrorBody.KAFKA_RETRIABLE_ERROR,
                String.valueOf(cause.getMessage()));
        }
        else
        {
            exchange.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, RestErrorBody.KAFKA_ERROR, String.valueOf(cause.getMessage()));
        }
    }

    /**
     * REST v2's per-record code for a failed record.
     *
     * @param error the record's failure.
     * @return {@link #V2_RETRIABLE} or {@link #V2_NON_RETRIABLE}.
     */
    static int v2RecordCode(final Throwable error)
    {
        return unwrap(error) instanceof RetriableException ? V2_RETRIABLE : V2_NON_RETRIABLE;
    }
}
