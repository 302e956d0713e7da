/**
 * Failover between data centres: per virtual cluster, which upstream is active (primary or standby), the generation
 * that grows at every switch, the health probes of both upstreams ({@link io.kafkaproxy.proxy.failover.UpstreamProbe}),
 * the switch itself ({@link io.kafkaproxy.proxy.failover.ClusterFailover}) and the fence that keeps broker connections
 * of an older generation from carrying anything ({@link io.kafkaproxy.proxy.failover.GenerationFenceHandler}).
 */
package io.kafkaproxy.proxy.failover;
