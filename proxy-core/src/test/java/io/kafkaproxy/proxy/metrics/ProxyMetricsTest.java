package io.kafkaproxy.proxy.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyMetricsTest
{
    private static final short PRODUCE = 0;
    private static final short FETCH = 1;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProxyMetrics metrics = new ProxyMetrics(registry);
    private final ProxyMetrics east = metrics.forCluster("east");

    @Test
    void shouldLabelEachApiWithItsKafkaName()
    {
        // When
        east.api(PRODUCE).onRequest(100);
        east.api(PRODUCE).onResponse(50, 2_000_000);
        east.api(FETCH).onRequest(80);
        east.api((short)-7).onRequest(10);
        east.api((short)999).onRequest(10);

        // Then
        final String text = registry.scrape();
        assertThat(text)
            .contains("kafka_proxy_request_latency_seconds_count{api=\"Produce\",cluster=\"east\"} 1")
            .contains("kafka_proxy_frames_total{api=\"Fetch\",cluster=\"east\",direction=\"client_to_broker\"} 1")
            .contains("kafka_proxy_bytes_total{api=\"Produce\",cluster=\"east\",direction=\"broker_to_client\"} 50")
            .contains("kafka_proxy_frames_total{api=\"Unknown\",cluster=\"east\",direction=\"client_to_broker\"} 2");
        assertThat(east.api(PRODUCE)).isSameAs(east.api(PRODUCE));
    }

    @Test
    void recordingARequestShouldAllocateNothing()
    {
        // Given: the meters registered and the recording path compiled
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        record(200_000);

        // When: the least of three rounds. A one-off allocation of the JVM's own (1,272 bytes in one measurement when
        // the TLS and SASL meter tests of this class ran first, likely a deoptimization re-materializing objects that
        // escape analysis had removed) lands in one round only; an allocation per request would show in every round,
        // 100,000 times over.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            record(100_000);
            allocated = Math.min(allocated, threads.getThreadAllocatedBytes(thread) - before);
        }

        // Then: nothing per request (a few bytes of slack for the measurement itself)
        assertThat(allocated).isLessThan(1024);
    }

    private void record(final int requests)
    {
        for (int i = 0; i < requests; i++)
        {
            final short apiKey = (short)(i & 1);
            final ApiMeters api = east.api(apiKey);
            api.onRequest(1024);
            api.onResponse(512, 150_000 + i);
        }
    }

    @Test
    void shouldReplaceTheCertificateExpirySeriesOfAListenerAndCountHandshakeFailures()
    {
        // Given
        metrics.onTlsCertificatesLoaded("default", java.util.List.of(new CertificateExpiry("CN=old", "1a", 1_700_000_000L)));

        // When
        metrics.onTlsCertificatesLoaded("default", java.util.List.of(new CertificateExpiry("CN=new", "2b", 1_800_000_000L),
            new CertificateExpiry("CN=ca", "3c", 1_900_000_000L)));
        east.onTlsHandshakeFailed("default", "not_tls");
        east.onTlsHandshakeFailed("default", "not_tls");
        System.gc();

        // Then
        final String text = registry.scrape();
        assertThat(text)
            .contains("kafka_proxy_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=new\",listener=\"default\",serial=\"2b\"} 1.8E9")
            .contains("kafka_proxy_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=ca\",listener=\"default\",serial=\"3c\"} 1.9E9")
            .doesNotContain("serial=\"1a\"")
            .contains("kafka_proxy_tls_handshake_failures_total{cluster=\"east\",listener=\"default\",reason=\"not_tls\"} 2");
        assertThat(metrics.tlsHandshakeFailures("default", "not_tls")).isEqualTo(2);
        metrics.onTlsCertificatesLoaded("default", java.util.List.of());
        assertThat(registry.scrape()).doesNotContain("kafka_proxy_tls_certificate_expiry_timestamp_seconds{");
    }

    @Test
    void shouldReplaceTheCertificateExpirySeriesOfTheBrokerSideUnderItsOwnLabel()
    {
        // Given
        metrics.onTlsCertificatesLoaded("default", java.util.List.of(new CertificateExpiry("CN=listener", "1a", 1_700_000_000L)));
        metrics.onBrokerTlsCertificatesLoaded(java.util.List.of(new CertificateExpiry("CN=kafka-proxy", "2b", 1_800_000_000L)));

        // When
        metrics.onBrokerTlsCertificatesLoaded(java.util.List.of(new CertificateExpiry("CN=kafka-proxy", "3c", 1_850_000_000L),
            new CertificateExpiry("CN=broker-ca", "4d", 1_900_000_000L)));

        // Then
        assertThat(registry.scrape())
            .contains("kafka_proxy_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=kafka-proxy\",listener=\"upstream.tls\",serial=\"3c\"} 1.85E9")
            .contains("kafka_proxy_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=broker-ca\",listener=\"upstream.tls\",serial=\"4d\"} 1.9E9")
            .contains("kafka_proxy_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=listener\",listener=\"default\",serial=\"1a\"} 1.7E9")
            .doesNotContain("serial=\"2b\"");
        metrics.onBrokerTlsCertificatesLoaded(java.util.List.of());
        assertThat(registry.scrape()).doesNotContain("listener=\"upstream.tls\"").contains("serial=\"1a\"");
    }

    @Test
    void shouldCountSaslLoginsByListenerMechanismAndOutcome()
    {
        // When
        east.onSaslAuthentication("default", "PLAIN", "success");
        east.onSaslAuthentication("default", "PLAIN", "success");
        east.onSaslAuthentication("tls", "PLAIN", "success");
        east.onSaslAuthentication("tls", "SCRAM-SHA-512", "failure");

        // Then
        assertThat(registry.scrape())
            .contains("kafka_proxy_sasl_authentications_total{cluster=\"east\",listener=\"default\",mechanism=\"PLAIN\",outcome=\"success\"} 2")
            .contains("kafka_proxy_sasl_authentications_total{cluster=\"east\",listener=\"tls\",mechanism=\"PLAIN\",outcome=\"success\"} 1")
            .contains("kafka_proxy_sasl_authentications_total{cluster=\"east\",listener=\"tls\",mechanism=\"SCRAM-SHA-512\",outcome=\"failure\"} 1");
    }

    @Test
    void shouldLabelConnectionMetersWithTheirClusterSumThemAndRemoveThemWithTheCluster()
    {
        // Given
        final ProxyMetrics west = metrics.forCluster("west");

        // When
        east.onConnectionOpened(ProxyMetrics.Side.CLIENT);
        east.onConnectionOpened(ProxyMetrics.Side.CLIENT);
        west.onConnectionOpened(ProxyMetrics.Side.CLIENT);
        east.onRequestsUnanswered(3);
        west.onConnectionError(ProxyMetrics.Side.BROKER);
        east.api(PRODUCE).onRequest(100);
        west.onConfigReload(true);

        // Then: each cluster's series, the proxy's object sums them, and the proxy-wide meters carry no cluster
        assertThat(registry.scrape())
            .contains("kafka_proxy_connections_active{cluster=\"east\",side=\"client\"} 2")
            .contains("kafka_proxy_connections_active{cluster=\"west\",side=\"client\"} 1")
            .contains("kafka_proxy_connections_active{cluster=\"\",side=\"client\"} 0")
            .contains("kafka_proxy_requests_unanswered_total{cluster=\"east\"} 3")
            .contains("kafka_proxy_connection_errors_total{cluster=\"west\",side=\"broker\"} 1")
            .contains("kafka_proxy_config_reloads_total{result=\"success\"} 1");
        assertThat(metrics.activeConnections(ProxyMetrics.Side.CLIENT)).isEqualTo(3);
        assertThat(east.activeConnections(ProxyMetrics.Side.CLIENT)).isEqualTo(2);
        assertThat(metrics.requestsUnanswered()).isEqualTo(3);
        assertThat(metrics.connectionErrors(ProxyMetrics.Side.BROKER)).isEqualTo(1);
        assertThat(metrics.configReloads(true)).isEqualTo(1);

        // When: a reload removes east
        east.close();

        // Then
        assertThat(registry.scrape()).doesNotContain("cluster=\"east\"").contains("cluster=\"west\"");
        assertThat(metrics.activeConnections(ProxyMetrics.Side.CLIENT)).isEqualTo(1);
        assertThat(metrics.requestsUnanswered()).isZero();
    }
}
