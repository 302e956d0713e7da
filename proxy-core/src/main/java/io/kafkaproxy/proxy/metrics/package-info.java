/**
 * The proxy's meters. Every meter is resolved once, when {@link io.kafkaproxy.proxy.metrics.ProxyMetrics} is
 * built, so recording on the request path allocates nothing; the meter and label names are constants here.
 * {@link io.kafkaproxy.proxy.metrics.JvmMetricsBinding} binds the JVM and process meters under names that pass
 * Prometheus's lint. The meters of connections and requests are labelled by virtual cluster: each cluster context
 * gets its own {@code ProxyMetrics} from {@code forCluster}, with its per-API meters resolved per cluster, and its
 * policy meters; the proxy-wide meters (memory, reloads, certificate expiry, JVM) carry no cluster label.
 */
package io.kafkaproxy.proxy.metrics;
