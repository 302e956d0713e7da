package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The Confluent REST Proxy endpoints of the HTTP gateway, registered on the listener's router: v2 produce and topic
 * metadata, v3 produce and cluster and topic resources.
 */
final class RestProxyRoutes
{
    private RestProxyRoutes()
    {
    }

    /**
     * Adds the REST Proxy routes.
     *
     * @param router       the listener's router.
     * @param services     the cluster's gateway services.
     * @param maxBodyBytes the largest body a route reads whole ({@code http.maxBodyBytes}).
     */
    static void register(final HttpRouter router, final GatewayServices services, final long maxBodyBytes)
    {
        final HttpRoute produce = v2(new RestV2ProduceRoute(services, maxBodyBytes));
        final RestTopicRoutes topics = new RestTopicRoutes(services);
        router.add(HttpMethod.GET, "/topics", v2(topics::listTopics))
            .add(HttpMethod.GET, "/topics/{topic}", v2(topics::describeTopic))
            .add(HttpMethod.POST, "/topics/{topic}", produce)
            .add(HttpMethod.GET, "/topics/{topic}/partitions", v2(topics::describePartitions))
            .add(HttpMethod.GET, "/topics/{topic}/partitions/{partition}", v2(topics::describePartitions))
            .add(HttpMethod.POST, "/topics/{topic}/partitions/{partition}", produce);
        final RestV3ClusterRoutes clusters = new RestV3ClusterRoutes(services);
        router.add(HttpMethod.GET, "/v3/clusters", v3(clusters::listClusters))
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}", v3(clusters::getCluster))
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics", v3(clusters::listTopics))
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic}", v3(clusters::getTopic))
            .add(HttpMethod.POST, "/v3/clusters/{cluster_id}/topics/{topic}/records", v3(new RestV3ProduceRoute(services, maxBodyBytes)));
    }

    private static HttpRoute v2(final HttpRoute route)
    {
        return answeringIn(RestContentTypes.V2, route);
    }

    private static HttpRoute v3(final HttpRoute route)
    {
        return answeringIn(RestContentTypes.JSON, route);
    }

    /**
     * A route that first checks the client takes its answer's type ({@code Accept}): 406 otherwise, as REST Proxy.
     */
    private static HttpRoute answeringIn(final String produced, final HttpRoute route)
    {
        return exchange ->
        {
            if (!RestContentTypes.acceptable(exchange.request().headers().get(HttpHeaderNames.ACCEPT), produced))
            {
                exchange.refuseBadInput(HttpResponseStatus.NOT_ACCEPTABLE, HttpResponseStatus.NOT_ACCEPTABLE.code(), "not_acceptable",
                    "HTTP 406 Not Acceptable");
                return HttpRouteHandler.DISCARD;
            }
            return route.open(exchange);
        };
    }
}
