/**
 * The proxy's meters. Every meter is resolved once, when {@link io.kafkaproxy.proxy.metrics.ProxyMetrics} is
 * built, so recording on the request path allocates nothing; the meter and label names are constants here.
 */
package io.kafkaproxy.proxy.metrics;
