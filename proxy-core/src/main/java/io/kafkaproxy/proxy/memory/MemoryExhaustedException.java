package io.kafkaproxy.proxy.memory;

/**
 * The pool's budget and the loop's reserve are both spent. Thrown only by the generic {@code ByteBufAllocator}
 * methods, which cannot answer null; the proxy's own paths ask with {@code tryDirectBuffer} and pause instead.
 *
 * <p>A stackless singleton: it is an expected outcome under memory pressure, and costs nothing to throw.
 */
public final class MemoryExhaustedException extends RuntimeException
{
    /** The one instance. */
    public static final MemoryExhaustedException INSTANCE = new MemoryExhaustedException();

    private static final long serialVersionUID = 1L;

    private MemoryExhaustedException()
    {
        super("memory pool exhausted: the budget and the event loop's reserve are both spent", null, false, false);
    }
}
