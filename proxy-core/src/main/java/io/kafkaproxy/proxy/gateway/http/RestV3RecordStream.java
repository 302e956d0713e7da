package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One REST v3 produce request: its records, read one by one from the body as it arrives
 * ({@link ConcatenatedJsonFramer}), sent to Kafka in order, and answered by one delivery report each, in order.
 *
 * <pre>
 *   checking (cluster id, topic) --ok--> open --request ended, every report written--> done
 *       \--cluster or topic unknown: 404, the rest of the body dropped
 *   each record: parsed --> sent --> outcome --> its report, once those before it are written
 * </pre>
 *
 * <p>Streaming mode writes the 200 head once the checks pass and each report as soon as it is due; otherwise (one
 * record with a length) the single report is the answer, with its {@code error_code} as the status. Memory is
 * bounded: reading stops while {@link #MAX_IN_FLIGHT} records wait for Kafka, while the producer's buffer is full
 * (until {@code whenBufferAvailable}), and while the principal is over its produce quota (for the throttle time), the
 * way a Kafka producer is held back.
 *
 * <p>Per request, never shared. Confined to the request channel's event loop.
 */
final class RestV3RecordStream implements HttpRouteHandler
{
    /** Records read and not yet reported beyond which the request's body is not read. */
    static final int MAX_IN_FLIGHT = 1024;

    private final HttpExchange exchange;
    private final GatewayServices services;
    private final GatewayClient client;
    private final String topic;
    private final boolean streaming;
    private final ConcatenatedJsonFramer framer;
    private final List<Header> trace;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private String clusterId;
    private TopicDescription description;
    private boolean checked;
    private boolean refused;
    private boolean requestEnded;
    private boolean inputFailed;
    private boolean aborted;
    private boolean waitingForBuffer;
    private int recordsRead;
    private ScheduledFuture<?> throttle;
    private ByteBuf singleAnswer;
    private int singleStatus = HttpResponseStatus.OK.code();

    RestV3RecordStream(
        final HttpExchange exchange,
        final GatewayServices services,
        final GatewayClient client,
        final String expectedClusterId,
        final String topic,
        final boolean streaming,
        final int maxRecordBytes)
    {
        this.exchange = exchange;
        this.services = services;
        this.client = client;
        this.topic = topic;
        this.streaming = streaming;
        this.trace = RestRecordSender.traceHeaders(exchange.request().headers());
        this.framer = new ConcatenatedJsonFramer(maxRecordBytes, this::onRecordText);
        services.clusterId().thenCombine(services.topics().describe(topic), (id, topicDescription) ->
        {
            clusterIdAndTopic(id, topicDescription);
            return null;
        }).whenComplete((ignored, error) -> exchange.executor().execute(() -> onChecked(expectedClusterId, error)));
    }

    private void clusterIdAndTopic(final String id, final TopicDescription topicDescription)
    {
        // On an admin thread: handed to the event loop by onChecked's task, which runs after this returns.
        this.clusterId = id;
        this.description = topicDescription;
    }

    private void onChecked(final String expectedClusterId, final Throwable error)
    {
        if (aborted)
        {
            return;
        }
        checked = true;
        if (error != null || !clusterId.equals(expectedClusterId))
        {
            refused = true;
            entries.clear();
            if (error == null)
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, 404, "unknown_cluster",
                    "Cluster " + expectedClusterId + " cannot be found.");
            }
            else if (RestKafkaErrors.unwrap(error) instanceof UnknownTopicOrPartitionException)
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, 404, "unknown_topic",
                    "This server does not host this topic-partition.");
            }
            else
            {
                RestKafkaErrors.answer(exchange, error);
            }
            exchange.pauseReading(false);
            return;
        }
        if (streaming)
        {
            exchange.startStream(HttpResponseStatus.OK, RestContentTypes.JSON);
        }
        sendReady();
        writeDueReports();
    }

    @Override
    public void onContent(final HttpContent content)
    {
        try
        {
            if (!refused && !inputFailed)
            {
                framer.feed(content.content());
                if (content instanceof LastHttpContent)
                {
                    framer.end();
                }
            }
        }
        catch (final RestInputException e)
        {
            inputFailed = true;
            recordsRead++;
            entries.add(failed(e));
            onBadInput(e);
        }
        finally
        {
            content.release();
        }
        if (content instanceof LastHttpContent)
        {
            requestEnded = true;
            if (!streaming && recordsRead == 0 && !refused)
            {
                entries.add(failed(new RestInputException(HttpResponseStatus.BAD_REQUEST, 400, "invalid_body", "no record in the body")));
            }
        }
        if (!refused)
        {
            sendReady();
            writeDueReports();
        }
    }

    private void onRecordText(final byte[] text)
    {
        recordsRead++;
        try
        {
            entries.add(new Entry(RestV3RecordParser.parse(text, 0, text.length), 0, null));
        }
        catch (final RestInputException e)
        {
            entries.add(failed(e));
            onBadInput(e);
        }
    }

    private Entry failed(final RestInputException e)
    {
        // v3 reports bad input as 400 (413 for a record over the limit), whatever v2 would have said.
        final int code = e.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code() ? e.status().code() :
            HttpResponseStatus.BAD_REQUEST.code();
        return new Entry(null, code, e.getMessage());
    }

    private void onBadInput(final RestInputException e)
    {
        services.metrics().onError(GatewayHttpObserver.PROTOCOL, e.reason());
    }

    /**
     * Sends, in order, the records read and not yet sent, until one does not fit in the producer's buffer.
     */
    private void sendReady()
    {
        // While waiting for buffer space, one whenBufferAvailable task is registered; it calls here again.
        if (!checked || refused || aborted || waitingForBuffer)
        {
            updateReading();
            return;
        }
        for (final Entry entry : entries)
        {
            if (!entry.sendable())
            {
                continue;
            }
            final RestRecord record = entry.record;
            if (record.partition() != null && record.partition() >= description.partitions().size())
            {
                entry.fail(HttpResponseStatus.NOT_FOUND.code(), "This server does not host this topic-partition.");
                services.metrics().onError(GatewayHttpObserver.PROTOCOL, "unknown_partition");
                continue;
            }
            final boolean accepted = RestRecordSender.send(services.producer(), exchange.executor(), topic, record.partition(), record,
                trace, entry::onOutcome);
            if (!accepted)
            {
                waitingForBuffer = true;
                services.producer().whenBufferAvailable(() -> exchange.executor().execute(() ->
                {
                    waitingForBuffer = false;
                    sendReady();
                    writeDueReports();
                }));
                break;
            }
            entry.sent = true;
            final long throttleMillis = client.produceThrottleMillis(topic, record.sizeBytes());
            if (throttleMillis > 0 && throttle == null)
            {
                throttle = exchange.executor().schedule(() ->
                {
                    throttle = null;
                    updateReading();
                }, throttleMillis, TimeUnit.MILLISECONDS);
            }
        }
        updateReading();
    }

    private void updateReading()
    {
        final boolean paused = !refused && !aborted && (waitingForBuffer || throttle != null || entries.size() >= MAX_IN_FLIGHT);
        exchange.pauseReading(paused);
    }

    /**
     * Writes the reports that are due: those of the first records whose outcomes are all known.
     */
    private void writeDueReports()
    {
        if (!checked || refused || aborted)
        {
            return;
        }
        boolean wrote = false;
        while (!entries.isEmpty() && entries.peekFirst().done())
        {
            final Entry entry = entries.pollFirst();
            wrote = true;
            report(entry);
        }
        if (wrote && streaming)
        {
            exchange.flush();
        }
        if (requestEnded && entries.isEmpty() && !exchange.isComplete())
        {
            if (streaming)
            {
                exchange.endStream();
            }
            else
            {
                exchange.respond(HttpResponseStatus.valueOf(singleStatus), RestContentTypes.JSON, singleAnswer);
                singleAnswer = null;
            }
        }
        updateReading();
    }

    private void report(final Entry entry)
    {
        final ByteBuf body = JsonResponseBody.write(exchange.ctx().alloc(), json -> entry.write(json, clusterId, topic));
        if (entry.errorCode == HttpResponseStatus.OK.code())
        {
            services.metrics().onRecords(GatewayHttpObserver.PROTOCOL, "in", topic, 1);
        }
        if (streaming)
        {
            body.writeByte('\n');
            exchange.writeChunk(body);
            return;
        }
        // One record: its report is the answer, its code the status. Several without streaming: concatenated, 200.
        if (singleAnswer == null)
        {
            singleAnswer = body;
            singleStatus = entry.errorCode;
        }
        else
        {
            singleStatus = HttpResponseStatus.OK.code();
            singleAnswer = exchange.ctx().alloc().compositeBuffer().addComponents(true, singleAnswer.writeByte('\n'), body);
        }
    }

    @Override
    public void onAbort()
    {
        aborted = true;
        entries.clear();
        if (throttle != null)
        {
            throttle.cancel(false);
            throttle = null;
        }
        if (singleAnswer != null)
        {
            singleAnswer.release();
            singleAnswer = null;
        }
    }

    /**
     * One record of the request and its outcome.
     *
     * <p>Confined to the request channel's event loop.
     */
    private final class Entry
    {
        private final RestRecord record;
        private boolean sent;
        private int errorCode;
        private String message;
        private RecordMetadata metadata;

        private Entry(final RestRecord record, final int errorCode, final String message)
        {
            this.record = record;
            this.errorCode = errorCode;
            this.message = message;
        }

        boolean sendable()
        {
            return record != null && !sent && errorCode == 0;
        }

        boolean done()
        {
            return errorCode != 0;
        }

        void fail(final int code, final String why)
        {
            errorCode = code;
            message = why;
        }

        void onOutcome(final RecordMetadata written, final Exception error)
        {
            if (error == null)
            {
                metadata = written;
                errorCode = HttpResponseStatus.OK.code();
            }
            else
            {
                final Throwable cause = RestKafkaErrors.unwrap(error);
                errorCode = cause instanceof UnknownTopicOrPartitionException ? 404 : cause instanceof RetriableException ? 503 : 500;
                message = String.valueOf(cause.getMessage());
                services.metrics().onError(GatewayHttpObserver.PROTOCOL, "delivery_failed");
            }
            writeDueReports();
        }

        void write(final JsonGenerator json, final String cluster, final String topicName) throws IOException
        {
            json.writeStartObject();
            json.writeNumberField("error_code", errorCode);
            if (errorCode != HttpResponseStatus.OK.code())
            {
                json.writeStringField("message", message);
                json.writeEndObject();
                return;
            }
            json.writeStringField("cluster_id", cluster);
            json.writeStringField("topic_name", topicName);
            json.writeNumberField("partition_id", metadata.partition());
            json.writeNumberField("offset", metadata.offset());
            json.writeStringField("timestamp", Instant.ofEpochMilli(metadata.timestamp()).toString());
            writeData(json, "key", record.keyFormat(), record.key());
            writeData(json, "value", record.valueFormat(), record.value());
            json.writeEndObject();
        }

        private void writeData(final JsonGenerator json, final String field, final RecordFormat format, final byte[] data)
            throws IOException
        {
            if (data == null)
            {
                json.writeNullField(field);
                return;
            }
            json.writeObjectFieldStart(field);
            json.writeStringField("type", format.name());
            json.writeNumberField("size", data.length);
            json.writeEndObject();
        }
    }
}
