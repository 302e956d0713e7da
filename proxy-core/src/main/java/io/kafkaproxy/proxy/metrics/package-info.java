/**
 * The proxy's meters. Every meter is resolved once, when {@link io.kafkaproxy.proxy.metrics.ProxyMetrics} is
 * built, so recording on the request path allocates nothing; the meter and label names are constants here.
 * {@link io.kafkaproxy.proxy.metrics.JvmMetricsBinding} binds the JVM and process meters under names that pass
 * Prometheus's lint. Meters are not labelled by upstream cluster yet: each cluster context receives the
 * registry and its policy meters, which is where a cluster label goes.
 */
package io.kafkaproxy.proxy.metrics;
