package io.kafkaproxy.proxy.circuit;

/**
 * One broker's circuit as a connection to that broker reports to it, resolved once when the connection is made so
 * that a response costs no lookup by address. Thread-safe, like the breakers it comes from.
 */
@FunctionalInterface
public interface BrokerCircuit
{
    /**
     * Reports a response from the broker: it is answering (see {@link BrokerCircuitBreakers#onResponse}).
     *
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    void onResponse(long nowNanos);
}
