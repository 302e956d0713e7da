package io.kafkaproxy.proxy.memory;

/**
 * A client channel's reads, paused while the pool is under pressure.
 */
@FunctionalInterface
public interface MemoryPressureGate
{
    /**
     * Pauses or resumes reads; called on the channel's event loop.
     *
     * @param paused true to pause.
     */
    void onMemoryPressure(boolean paused);
}
