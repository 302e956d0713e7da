package io.kafkaproxy.proxy.circuit;

/**
 * Where a broker's circuit stands.
 *
 * <pre>
 *            failureThreshold consecutive failures
 *   CLOSED ─────────────────────────────────────────▶ OPEN
 *     ▲                                               │  ▲
 *     │ the probe connects            a probe is due  │  │ the probe fails: the next is due after probeInterval,
 *     │                                               ▼  │ doubling up to openDuration once the outage is older
 *     └──────────────────────────────────────────── HALF_OPEN (one probe connection let through)
 * </pre>
 */
enum CircuitState
{
    /** Connections are made as usual. */
    CLOSED(0, "closed"),
    /** One probe connection is under way; others are refused until it reports. */
    HALF_OPEN(1, "half_open"),
    /** Connections are refused until the next probe is due. */
    OPEN(2, "open");

    private final int gaugeValue;
    private final String label;

    CircuitState(final int gaugeValue, final String label)
    {
        this.gaugeValue = gaugeValue;
        this.label = label;
    }

    /**
     * The value of the {@code kafka.proxy.circuit.state} gauge.
     *
     * @return 0 closed, 1 half open, 2 open.
     */
    public int gaugeValue()
    {
        return gaugeValue;
    }

    /**
     * The {@code to} label of {@code kafka.proxy.circuit.transitions}.
     *
     * @return {@code closed}, {@code half_open} or {@code open}.
     */
    public String label()
    {
        return label;
    }
}
