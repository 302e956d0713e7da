/**
 * Circuit breaking per broker: after repeated connect failures or request timeouts the proxy stops connecting to
 * a broker for a while, then lets one probe connection at a time, on a schedule that starts short, decide whether it
 * is back.
 * {@link io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers} is shared by every event loop; each broker's
 * transitions are owned by one lock-free state machine. The breakers read their settings at each call from
 * where a reload publishes them (the cluster's {@link io.kafkaproxy.proxy.cluster.ClusterSnapshot}).
 */
package io.kafkaproxy.proxy.circuit;
