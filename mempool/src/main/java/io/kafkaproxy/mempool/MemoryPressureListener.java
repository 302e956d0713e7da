package io.kafkaproxy.mempool;

/**
 * Told when the pool's memory in use crosses its high watermark going up, or its low watermark going down.
 *
 * <p>Called on whichever thread crossed the mark, never under a lock of the pool; implementations hand the news
 * to their own thread.
 */
@FunctionalInterface
public interface MemoryPressureListener
{
    /**
     * The pool's pressure changed.
     *
     * @param underPressure true above the high watermark, false once back below the low one.
     */
    void onMemoryPressure(boolean underPressure);
}
