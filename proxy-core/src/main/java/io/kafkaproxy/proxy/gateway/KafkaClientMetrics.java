package io.kafkaproxy.proxy.gateway;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;

/**
 * Reads a figure from a Kafka client's own metrics, for the gateway's gauges.
 */
final class KafkaClientMetrics
{
    private KafkaClientMetrics()
    {
    }

    /**
     * A client's {@code connection-count}: its open connections to brokers.
     *
     * @param metrics the client's metrics.
     * @param group   the client's metric group ({@code producer-metrics}, {@code admin-client-metrics}...).
     * @return the count; NaN if the client does not report it.
     */
    static double connectionCount(final Map<MetricName, ? extends Metric> metrics, final String group)
    {
        for (final Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet())
        {
            if ("connection-count".equals(entry.getKey().name()) && group.equals(entry.getKey().group()))
            {
                return ((Number)entry.getValue().metricValue()).doubleValue();
            }
        }
        return Double.NaN;
    }
}
