/**
 * What the proxy reads and rewrites in broker responses. {@link io.kafkaproxy.protocol.responses.ResponseRewriters}
 * picks, by api key and version, the few responses that name brokers or versions: the seven address-bearing ones
 * (Metadata, FindCoordinator, DescribeCluster, and the node endpoints of Produce, Fetch, ShareFetch and
 * ShareAcknowledge) each skip to their endpoints and hand them to the one {@code EndpointArrayRewriter}, which asks
 * the {@link io.kafkaproxy.protocol.responses.BrokerEndpointMapper} for each proxy address; ApiVersions gets the
 * {@link io.kafkaproxy.protocol.responses.ProxyApiVersions}. A rewrite never copies the response: it fills a
 * {@link io.kafkaproxy.protocol.responses.ResponseSplice} and returns a {@link
 * io.kafkaproxy.protocol.responses.RewriteOutcome}. For the policy, {@link
 * io.kafkaproxy.protocol.responses.MetadataResponseFlyweight} walks a Metadata response's topics and {@link
 * io.kafkaproxy.protocol.responses.ThrottleTimeLocator} finds where any response keeps {@code throttle_time_ms}.
 */
package io.kafkaproxy.protocol.responses;
