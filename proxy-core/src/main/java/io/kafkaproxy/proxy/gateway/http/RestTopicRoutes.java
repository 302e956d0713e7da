package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * REST Proxy v2 topic metadata: {@code GET /topics} (the names the client may describe), {@code GET /topics/{topic}}
 * (name, configs, partitions), {@code GET /topics/{topic}/partitions} and {@code .../partitions/{partition}} (leader
 * and replicas). Brokers appear by node id only: a broker's host and port never leave the proxy, as with the Kafka
 * listeners' rewritten metadata.
 *
 * <p>Also the checks every topic route shares (the partition parameter, 403, 429). Stateless; shared by every
 * connection.
 */
final class RestTopicRoutes
{
    private final GatewayServices services;

    RestTopicRoutes(final GatewayServices services)
    {
        this.services = services;
    }

    /**
     * {@code GET /topics}.
     *
     * @param exchange the request.
     * @return no body wanted.
     */
    HttpRouteHandler listTopics(final HttpExchange exchange)
    {
        final GatewayClient client = client(exchange);
        services.topics().listTopics().whenComplete((names, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
                return;
            }
            final List<String> visible = new ArrayList<>();
            for (final String name : names)
            {
                if (client.mayDescribe(name))
                {
                    visible.add(name);
                }
            }
            visible.sort(null);
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.V2, JsonResponseBody.write(exchange.ctx().alloc(), json ->
            {
                json.writeStartArray();
                for (final String name : visible)
                {
                    json.writeString(name);
                }
                json.writeEndArray();
            }));
        }));
        return HttpRouteHandler.DISCARD;
    }

    /**
     * {@code GET /topics/{topic}}.
     *
     * @param exchange the request.
     * @return no body wanted.
     */
    HttpRouteHandler describeTopic(final HttpExchange exchange)
    {
        final String topic = exchange.pathParameter("topic");
        if (!client(exchange).mayDescribe(topic))
        {
            forbid(exchange, topic);
            return HttpRouteHandler.DISCARD;
        }
        services.topics().describe(topic).thenCombine(services.topics().topicConfigs(topic), Described::new)
            .whenComplete((described, error) -> exchange.executor().execute(() ->
            {
                if (error != null)
                {
                    RestKafkaErrors.answer(exchange, error);
                    return;
                }
                exchange.respond(HttpResponseStatus.OK, RestContentTypes.V2, JsonResponseBody.write(exchange.ctx().alloc(), json ->
                {
                    json.writeStartObject();
                    json.writeStringField("name", topic);
                    json.writeObjectFieldStart("configs");
                    for (final Map.Entry<String, String> config : new java.util.TreeMap<>(described.configs()).entrySet())
                    {
                        json.writeStringField(config.getKey(), config.getValue());
                    }
                    json.writeEndObject();
                    json.writeArrayFieldStart("partitions");
                    for (final TopicPartitionInfo partition : described.description().partitions())
                    {
                        writePartition(json, partition);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }));
            }));
        return HttpRouteHandler.DISCARD;
    }

    /**
     * {@code GET /topics/{topic}/partitions} and {@code GET /topics/{topic}/partitions/{partition}}.
     *
     * @param exchange the request.
     * @return no body wanted.
     */
    HttpRouteHandler describePartitions(final HttpExchange exchange)
    {
        final String topic = exchange.pathParameter("topic");
        final Integer only;
        try
        {
            only = partitionParameter(exchange);
        }
        catch (final RestInputException e)
        {
            e.answer(exchange);
            return HttpRouteHandler.DISCARD;
        }
        if (!client(exchange).mayDescribe(topic))
        {
            forbid(exchange, topic);
            return HttpRouteHandler.DISCARD;
        }
        services.topics().describe(topic).whenComplete((description, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
                return;
            }
            if (only != null && only >= description.partitions().size())
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, RestErrorBody.PARTITION_NOT_FOUND, "unknown_partition",
                    RestKafkaErrors.PARTITION_NOT_FOUND);
                return;
            }
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.V2, JsonResponseBody.write(exchange.ctx().alloc(), json ->
            {
                if (only != null)
                {
                    writePartition(json, partition(description, only));
                    return;
                }
                json.writeStartArray();
                for (final TopicPartitionInfo partition : description.partitions())
                {
                    writePartition(json, partition);
                }
                json.writeEndArray();
            }));
        }));
        return HttpRouteHandler.DISCARD;
    }

    private GatewayClient client(final HttpExchange exchange)
    {
        return services.access().forClient(exchange.principal(), exchange.clientAddress().getAddress());
    }

    private static TopicPartitionInfo partition(final TopicDescription description, final int partition)
    {
        for (final TopicPartitionInfo info : description.partitions())
        {
            if (info.partition() == partition)
            {
                return info;
            }
        }
        throw new IllegalStateException("partition missing from its topic's description: partition=" + partition);
    }

    private static void writePartition(final JsonGenerator json, final TopicPartitionInfo partition) throws IOException
    {
        final Node leader = partition.leader();
        final Set<Integer> inSync = new java.util.HashSet<>();
        for (final Node node : partition.isr())
        {
            inSync.add(node.id());
        }
        json.writeStartObject();
        json.writeNumberField("partition", partition.partition());
        json.writeNumberField("leader", leader == null ? -1 : leader.id());
        json.writeArrayFieldStart("replicas");
        for (final Node replica : partition.replicas())
        {
            json.writeStartObject();
            json.writeNumberField("broker", replica.id());
            json.writeBooleanField("leader", leader != null && leader.id() == replica.id());
            json.writeBooleanField("in_sync", inSync.contains(replica.id()));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /**
     * The {@code partition} path parameter.
     *
     * @param exchange the request.
     * @return the partition, or null when the route has none.
     * @throws RestInputException 404/40402 when it is not a partition number.
     */
    static Integer partitionParameter(final HttpExchange exchange)
    {
        final String partition = exchange.pathParameter("partition");
        if (partition == null)
        {
            return null;
        }
        try
        {
            final int number = Integer.parseInt(partition);
            if (number >= 0)
            {
                return number;
            }
        }
        catch (final NumberFormatException e)
        {
            // Answered below like a partition that does not exist, as REST Proxy does.
        }
        throw new RestInputException(HttpResponseStatus.NOT_FOUND, RestErrorBody.PARTITION_NOT_FOUND, "unknown_partition",
            RestKafkaErrors.PARTITION_NOT_FOUND);
    }

    /**
     * Answers 403/40301: the ACLs deny the client the topic.
     *
     * @param exchange the request.
     * @param topic    the topic.
     */
    static void forbid(final HttpExchange exchange, final String topic)
    {
        exchange.refuseBadInput(HttpResponseStatus.FORBIDDEN, RestErrorBody.FORBIDDEN, "forbidden",
            "Not authorized to access topics: [" + topic + "]");
    }

    /**
     * Answers 429 with {@code Retry-After}: over quota, or the producer's buffer is full.
     *
     * @param exchange the request.
     * @param millis   how long the client should wait.
     * @param why      for the client.
     */
    static void throttle(final HttpExchange exchange, final long millis, final String why)
    {
        final DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, (millis + 999) / 1000)));
        exchange.respondError(HttpResponseStatus.TOO_MANY_REQUESTS, RestErrorBody.TOO_MANY_REQUESTS, why, headers);
    }

    private record Described(TopicDescription description, Map<String, String> configs)
    {
    }
}
