package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

import java.util.List;

/**
 * REST Proxy v2 produce: {@code POST /topics/{topic}} and {@code POST /topics/{topic}/partitions/{partition}}, with
 * the embedded formats {@code json} ({@code application/vnd.kafka.json.v2+json}) and {@code binary}
 * ({@code application/vnd.kafka.binary.v2+json}, and {@code application/vnd.kafka.v2+json}, which REST Proxy reads as
 * binary).
 *
 * <pre>
 *   content type (415) → WRITE on the topic (403/40301) → body whole (413) → parse (400, 422/42201/42202)
 *     → topic and partitions exist (404/40401, 40402) → produce quota (429 + Retry-After) → every record to the producer
 *     (429 + Retry-After if the first does not fit) → every outcome back → 200 {"offsets":[...]}
 * </pre>
 *
 * <p>The answer is written only once Kafka acknowledged, or failed, every record; a failed record has its
 * {@code error_code} (1, or 2 when retrying may help) and {@code error}, and the others their partition and offset, in
 * the request's order. Shared by every connection; the state of one request is a {@link Delivery}.
 */
final class RestV2ProduceRoute implements HttpRoute
{
    /** How long a client told to slow down (buffer full) waits before retrying, in seconds. */
    static final long BUFFER_FULL_RETRY_AFTER_SECONDS = 1;

    private final GatewayServices services;
    private final long maxBodyBytes;

    RestV2ProduceRoute(final GatewayServices services, final long maxBodyBytes)
    {
        this.services = services;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpRouteHandler open(final HttpExchange exchange)
    {
        final String topic = exchange.pathParameter("topic");
        final RecordFormat format = format(exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (format == null)
        {
            exchange.refuseBadInput(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE.code(),
                "unsupported_content_type", "HTTP 415 Unsupported Media Type");
            return HttpRouteHandler.DISCARD;
        }
        final Integer partition;
        try
        {
            partition = RestTopicRoutes.partitionParameter(exchange);
        }
        catch (final RestInputException e)
        {
            e.answer(exchange);
            return HttpRouteHandler.DISCARD;
        }
        final GatewayClient client = services.access().forClient(exchange.principal(), exchange.clientAddress().getAddress());
        if (!client.mayWrite(topic))
        {
            RestTopicRoutes.forbid(exchange, topic);
            return HttpRouteHandler.DISCARD;
        }
        return new BodyAggregator(exchange, maxBodyBytes, body -> onBody(exchange, client, topic, partition, format, body));
    }

    /**
     * The REST v2 embedded format a request's content type names.
     *
     * @param contentType the {@code Content-Type} header, or null.
     * @return the format; null for a type the route does not take.
     */
    static RecordFormat format(final String contentType)
    {
        if (contentType == null)
        {
            return null;
        }
        final int semicolon = contentType.indexOf(';');
        final String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        if (type.equalsIgnoreCase(RestContentTypes.V2_JSON))
        {
            return RecordFormat.JSON;
        }
        if (type.equalsIgnoreCase(RestContentTypes.V2_BINARY) || type.equalsIgnoreCase(RestContentTypes.V2))
        {
            return RecordFormat.BINARY;
        }
        return null;
    }

    private void onBody(
        final HttpExchange exchange, final GatewayClient client, final String topic, final Integer partition, final RecordFormat format,
        final ByteBuf body)
    {
        final List<RestRecord> records;
        try
        {
            records = RestV2RecordsParser.parse(body, format);
        }
        catch (final RestInputException e)
        {
            e.answer(exchange);
            return;
        }
        finally
        {
            body.release();
        }
        services.topics().describe(topic).whenComplete((description, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
            }
            else
            {
                produce(exchange, client, description, partition, records);
            }
        }));
    }

    private void produce(
        final HttpExchange exchange, final GatewayClient client, final TopicDescription description, final Integer pathPartition,
        final List<RestRecord> records)
    {
        final String topic = description.name();
        final int partitions = description.partitions().size();
        long bytes = 0;
        for (final RestRecord record : records)
        {
            final Integer partition = pathPartition != null ? pathPartition : record.partition();
            if (partition != null && partition >= partitions)
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, RestErrorBody.PARTITION_NOT_FOUND, "unknown_partition",
                    RestKafkaErrors.PARTITION_NOT_FOUND);
                return;
            }
            bytes += record.sizeBytes();
        }
        final long throttleMillis = client.produceThrottleMillis(topic, bytes);
        if (throttleMillis > 0)
        {
            RestTopicRoutes.throttle(exchange, throttleMillis, "produce quota exceeded for principal " + client.principal());
            return;
        }
        final List<Header> trace = RestRecordSender.traceHeaders(exchange.request().headers());
        final Delivery delivery = new Delivery(exchange, topic, records.size());
        for (int i = 0; i < records.size(); i++)
        {
            final RestRecord record = records.get(i);
            final int index = i;
            final boolean accepted = RestRecordSender.send(services.producer(), exchange.executor(), topic,
                pathPartition != null ? pathPartition : record.partition(), record, trace,
                (metadata, error) -> delivery.onOutcome(index, metadata, error));
            if (!accepted)
            {
                if (i == 0)
                {
                    RestTopicRoutes.throttle(exchange, BUFFER_FULL_RETRY_AFTER_SECONDS * 1000, "the gateway's producer buffer is full");
                    return;
                }
                for (int rest = i; rest < records.size(); rest++)
                {
                    delivery.onOutcome(rest, null, BufferFullException.INSTANCE);
                }
                return;
            }
        }
    }

    /**
     * The outcomes of one request's records, answered when the last one is in.
     *
     * <p>Confined to the request channel's event loop.
     */
    private final class Delivery
    {
        private final HttpExchange exchange;
        private final String topic;
        private final RecordMetadata[] written;
        private final Exception[] failed;
        private int outstanding;

        Delivery(final HttpExchange exchange, final String topic, final int records)
        {
            this.exchange = exchange;
            this.topic = topic;
            this.written = new RecordMetadata[records];
            this.failed = new Exception[records];
            this.outstanding = records;
        }

        void onOutcome(final int index, final RecordMetadata metadata, final Exception error)
        {
            written[index] = metadata;
            failed[index] = error;
            if (--outstanding == 0)
            {
                answer();
            }
        }

        private void answer()
        {
            int acknowledged = 0;
            for (final RecordMetadata metadata : written)
            {
                acknowledged += metadata != null ? 1 : 0;
            }
            if (acknowledged > 0)
            {
                services.metrics().onRecords(GatewayHttpObserver.PROTOCOL, "in", topic, acknowledged);
            }
            if (acknowledged < written.length)
            {
                services.metrics().onError(GatewayHttpObserver.PROTOCOL, "delivery_failed");
            }
            if (exchange.isComplete())
            {
                return;
            }
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.V2, JsonResponseBody.write(exchange.ctx().alloc(), json ->
            {
                json.writeStartObject();
                json.writeArrayFieldStart("offsets");
                for (int i = 0; i < written.length; i++)
                {
                    json.writeStartObject();
                    if (written[i] != null)
                    {
                        json.writeNumberField("partition", written[i].partition());
                        json.writeNumberField("offset", written[i].offset());
                        json.writeNullField("error_code");
                        json.writeNullField("error");
                    }
                    else
                    {
                        json.writeNullField("partition");
                        json.writeNullField("offset");
                        json.writeNumberField("error_code", RestKafkaErrors.v2RecordCode(failed[i]));
                        json.writeStringField("error", String.valueOf(RestKafkaErrors.unwrap(failed[i]).getMessage()));
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeNullField("key_schema_id");
                json.writeNullField("value_schema_id");
                json.writeEndObject();
            }));
        }
    }
}
