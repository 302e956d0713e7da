package io.kafkaproxy.proxy.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.kafkaproxy.proxy.gateway.GatewayClient;
import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.clients.admin.TopicDescription;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * REST Proxy v3 cluster and topic resources, minimal: {@code GET /v3/clusters}, {@code /v3/clusters/{cluster_id}},
 * {@code /v3/clusters/{cluster_id}/topics} and {@code .../topics/{topic}}, in v3's resource form ({@code kind},
 * {@code metadata.self}, {@code related} links). The one cluster is the upstream cluster, by its id. Stateless; shared
 * by every connection.
 */
final class RestV3ClusterRoutes
{
    private final GatewayServices services;

    RestV3ClusterRoutes(final GatewayServices services)
    {
        this.services = services;
    }

    HttpRouteHandler listClusters(final HttpExchange exchange)
    {
        services.clusterId().whenComplete((id, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
                return;
            }
            final String base = baseUrl(exchange);
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.JSON, JsonResponseBody.write(exchange.ctx().alloc(), json ->
            {
                json.writeStartObject();
                json.writeStringField("kind", "KafkaClusterList");
                writeMetadata(json, base + "/v3/clusters", null);
                json.writeArrayFieldStart("data");
                writeCluster(json, base, id);
                json.writeEndArray();
                json.writeEndObject();
            }));
        }));
        return HttpRouteHandler.DISCARD;
    }

    HttpRouteHandler getCluster(final HttpExchange exchange)
    {
        withCluster(exchange, id -> exchange.respond(HttpResponseStatus.OK, RestContentTypes.JSON,
            JsonResponseBody.write(exchange.ctx().alloc(), json -> writeCluster(json, baseUrl(exchange), id))));
        return HttpRouteHandler.DISCARD;
    }

    HttpRouteHandler listTopics(final HttpExchange exchange)
    {
        final GatewayClient client = services.access().forClient(exchange.principal(), exchange.clientAddress().getAddress());
        withCluster(exchange, id -> services.topics().listTopics().whenComplete((names, error) -> exchange.executor().execute(() ->
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
            final List<TopicDescription> described = new ArrayList<>();
            describeAll(exchange, id, visible, described);
        })));
        return HttpRouteHandler.DISCARD;
    }

    private void describeAll(final HttpExchange exchange, final String id, final List<String> names, final List<TopicDescription> described)
    {
        if (described.size() == names.size())
        {
            final String base = baseUrl(exchange);
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.JSON, JsonResponseBody.write(exchange.ctx().alloc(), json ->
            {
                json.writeStartObject();
                json.writeStringField("kind", "KafkaTopicList");
                writeMetadata(json, base + "/v3/clusters/" + id + "/topics", null);
                json.writeArrayFieldStart("data");
                for (final TopicDescription topic : described)
                {
                    writeTopic(json, base, id, topic);
                }
                json.writeEndArray();
                json.writeEndObject();
            }));
            return;
        }
        services.topics().describe(names.get(described.size())).whenComplete((topic, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
                return;
            }
            described.add(topic);
            describeAll(exchange, id, names, described);
        }));
    }

    HttpRouteHandler getTopic(final HttpExchange exchange)
    {
        final String topic = exchange.pathParameter("topic");
        final GatewayClient client = services.access().forClient(exchange.principal(), exchange.clientAddress().getAddress());
        if (!client.mayDescribe(topic))
        {
            RestTopicRoutes.forbid(exchange, topic);
            return HttpRouteHandler.DISCARD;
        }
        withCluster(exchange, id -> services.topics().describe(topic).whenComplete((description, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
                return;
            }
            exchange.respond(HttpResponseStatus.OK, RestContentTypes.JSON,
                JsonResponseBody.write(exchange.ctx().alloc(), json -> writeTopic(json, baseUrl(exchange), id, description)));
        })));
        return HttpRouteHandler.DISCARD;
    }

    /**
     * Runs an answer once the path's cluster id is known to be the upstream cluster's; answers 404 otherwise.
     */
    private void withCluster(final HttpExchange exchange, final java.util.function.Consumer<String> answer)
    {
        final String expected = exchange.pathParameter("cluster_id");
        services.clusterId().whenComplete((id, error) -> exchange.executor().execute(() ->
        {
            if (error != null)
            {
                RestKafkaErrors.answer(exchange, error);
            }
            else if (!id.equals(expected))
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_FOUND, 404, "unknown_cluster", "Cluster " + expected + " cannot be found.");
            }
            else
            {
                answer.accept(id);
            }
        }));
    }

    private static void writeCluster(final JsonGenerator json, final String base, final String id) throws IOException
    {
        final String self = base + "/v3/clusters/" + id;
        json.writeStartObject();
        json.writeStringField("kind", "KafkaCluster");
        writeMetadata(json, self, "crn:///kafka=" + id);
        json.writeStringField("cluster_id", id);
        writeRelated(json, "topics", self + "/topics");
        json.writeEndObject();
    }

    private static void writeTopic(final JsonGenerator json, final String base, final String id, final TopicDescription topic)
        throws IOException
    {
        final String self = base + "/v3/clusters/" + id + "/topics/" + topic.name();
        json.writeStartObject();
        json.writeStringField("kind", "KafkaTopic");
        writeMetadata(json, self, "crn:///kafka=" + id + "/topic=" + topic.name());
        json.writeStringField("cluster_id", id);
        json.writeStringField("topic_name", topic.name());
        json.writeBooleanField("is_internal", topic.isInternal());
        json.writeNumberField("replication_factor", topic.partitions().isEmpty() ? 0 : topic.partitions().get(0).replicas().size());
        json.writeNumberField("partitions_count", topic.partitions().size());
        writeRelated(json, "partitions", self + "/partitions");
        writeRelated(json, "configs", self + "/configs");
        json.writeEndObject();
    }

    private static void writeMetadata(final JsonGenerator json, final String self, final String resourceName) throws IOException
    {
        json.writeObjectFieldStart("metadata");
        json.writeStringField("self", self);
        if (resourceName != null)
        {
            json.writeStringField("resource_name", resourceName);
        }
        else
        {
            json.writeNullField("next");
        }
        json.writeEndObject();
    }

    private static void writeRelated(final JsonGenerator json, final String field, final String url) throws IOException
    {
        json.writeObjectFieldStart(field);
        json.writeStringField("related", url);
        json.writeEndObject();
    }

    private static String baseUrl(final HttpExchange exchange)
    {
        // The address the client used (its Host header): the proxy's own, never a broker's.
        final String host = exchange.request().headers().get(HttpHeaderNames.HOST);
        final boolean tls = (exchange.isHttp2() && exchange.ctx().channel().parent() != null ? exchange.ctx().channel().parent() :
            exchange.ctx().channel()).pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
        return (tls ? "https://" : "http://") + (host == null ? "localhost" : host);
    }
}
