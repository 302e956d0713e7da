package io.kafkaproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one Kafka API: request latency, frames and bytes each way. Resolved once per api key and kept,
 * so recording a request looks nothing up and allocates nothing; labelled with the cluster of the
 * connections that record them.
 */
public final class ApiMeters
{
    /** Request read from the client to response written to the client. */
    public static final String REQUEST_LATENCY = "kafka.proxy.request.latency";
    /** Frames forwarded, by api and direction. */
    public static final String FRAMES = "kafka.proxy.frames";
    /** Bytes forwarded (whole frames, size field included), by api and direction. */
    public static final String BYTES = "kafka.proxy.bytes";
    /** Label: the Kafka API name, {@code Produce}, {@code Fetch}, ... */
    public static final String API = "api";
    /** Label: {@code client_to_broker} for requests, {@code broker_to_client} for responses. */
    public static final String DIRECTION = "direction";

    private final Timer latency;
    private final Counter requests;
    private final Counter responses;
    private final Counter requestBytes;
    private final Counter responseBytes;

    ApiMeters(final MeterRegistry registry, final String api, final Tags tags)
    {
        latency = Timer.builder(REQUEST_LATENCY)
            .tag(API, api).tags(tags)
            .description("Time from a request read from the client to its response written to the client (a streamed response: its first byte)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
        requests = Counter.builder(FRAMES).tag(API, api).tags(tags).tag(DIRECTION, "client_to_broker")
            .description("Kafka frames forwarded").register(registry);
        responses = Counter.builder(FRAMES).tag(API, api).tags(tags).tag(DIRECTION, "broker_to_client")
            .description("Kafka frames forwarded").register(registry);
        requestBytes = Counter.builder(BYTES).tag(API, api).tags(tags).tag(DIRECTION, "client_to_broker").baseUnit("bytes")
            .description("Bytes of Kafka frames forwarded").register(registry);
        responseBytes = Counter.builder(BYTES).tag(API, api).tags(tags).tag(DIRECTION, "broker_to_client").baseUnit("bytes")
            .description("Bytes of Kafka frames forwarded").register(registry);
    }

    /**
     * Counts a request read from the client.
     *
     * @param frameBytes its size, size field included.
     */
    public void onRequest(final int frameBytes)
    {
        requests.increment();
        requestBytes.increment(frameBytes);
    }

    /**
     * Counts a response written to the client and the time since its request was read.
     *
     * @param frameBytes   its size, size field included.
     * @param latencyNanos nanoseconds since the request was read.
     */
    public void onResponse(final int frameBytes, final long latencyNanos)
    {
        responses.increment();
        responseBytes.increment(frameBytes);
        latency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The latency timer, for tests and the admin endpoint.
     *
     * @return the timer.
     */
    public Timer latency()
    {
        return latency;
    }
}
