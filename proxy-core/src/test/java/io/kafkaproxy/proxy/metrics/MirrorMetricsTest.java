package io.kafkaproxy.proxy.metrics;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MirrorMetricsTest
{
    @Test
    void shouldExportTheMetersUnderTheNamesTheDocumentationGives()
    {
        // Given
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MemoryPool slice = new MemoryPool(new MemoryPoolSettings(4L << 20, 64 << 10, 64 << 10,
            MemoryPoolSettings.Backing.DIRECT, null)))
        {
            final MirrorMetrics metrics = new MirrorMetrics(registry, "default", slice);

            // When
            metrics.onMirrored(5);
            metrics.onDropped(2);
            metrics.onFailed(1);
            metrics.addBytesInFlight(100);
            metrics.onAcknowledged(1_000_000);

            // Then
            final String scraped = registry.scrape();
            assertThat(scraped)
                .contains("kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"mirrored\"} 5.0")
                .contains("kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"dropped\"} 2.0")
                .contains("kafka_proxy_mirror_records_total{cluster=\"default\",outcome=\"failed\"} 1.0")
                .contains("kafka_proxy_mirror_bytes_in_flight{cluster=\"default\"} 100.0")
                .contains("kafka_proxy_mirror_lag_seconds_count{cluster=\"default\"} 1")
                .contains("kafka_proxy_mirror_memory_capacity_bytes{cluster=\"default\"} 4194304.0");
        }
    }
}
