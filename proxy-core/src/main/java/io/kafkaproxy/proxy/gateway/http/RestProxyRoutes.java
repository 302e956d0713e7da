package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.gateway.GatewayServices;
import io.netty.handler.codec.http.HttpMethod;

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
        final RestV2ProduceRoute produce = new RestV2ProduceRoute(services, maxBodyBytes);
        final RestTopicRoutes topics = new RestTopicRoutes(services);
        router.add(HttpMethod.GET, "/topics", topics::listTopics)
            .add(HttpMethod.GET, "/topics/{topic}", topics::describeTopic)
            .add(HttpMethod.POST, "/topics/{topic}", produce)
            .add(HttpMethod.GET, "/topics/{topic}/partitions", topics::describePartitions)
            .add(HttpMethod.GET, "/topics/{topic}/partitions/{partition}", topics::describePartitions)
            .add(HttpMethod.POST, "/topics/{topic}/partitions/{partition}", produce);
        final RestV3ClusterRoutes clusters = new RestV3ClusterRoutes(services);
        router.add(HttpMethod.GET, "/v3/clusters", clusters::listClusters)
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}", clusters::getCluster)
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics", clusters::listTopics)
            .add(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic}", clusters::getTopic)
            .add(HttpMethod.POST, "/v3/clusters/{cluster_id}/topics/{topic}/records", new RestV3ProduceRoute(services, maxBodyBytes));
    }
}
