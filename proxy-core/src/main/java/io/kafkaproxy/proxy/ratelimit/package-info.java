/**
 * Kafka-style quotas: byte and request rates per principal (optionally per topic), and connection limits per
 * principal and per client address, from the {@code quotas} section.
 *
 * <p>{@link io.kafkaproxy.proxy.ratelimit.RateBucket} is a lock-free virtual-clock limiter that charges traffic and
 * returns the throttle time a connection must impose; {@link io.kafkaproxy.proxy.ratelimit.QuotaBook} compiles
 * the rules and hands each connection its principal's {@link io.kafkaproxy.proxy.ratelimit.ClientQuotas};
 * {@link io.kafkaproxy.proxy.ratelimit.ConnectionLimiter} admits and counts connections.
 *
 * <p><b>Across event loops.</b> A principal's buckets are shared by all its connections in this proxy process,
 * whatever event loop each is on: two connections of one principal on two loops draw on one rate, charged with
 * compare-and-set and never a lock. Connection counts are likewise per process.
 *
 * <p><b>Across proxy instances.</b> Each instance enforces its own buckets and counts; instances do not talk to
 * each other. A principal spread over N instances can reach N times each limit: give each instance limit/N (when
 * clients are spread evenly), or route a principal to one instance.
 */
package io.kafkaproxy.proxy.ratelimit;
