package io.kafkaproxy.proxy.memory;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.RegionAllocator;
import io.netty.util.concurrent.EventExecutor;

import java.util.HashSet;
import java.util.Set;

/**
 * The pool memory of one event loop: its region allocator and the client channels to pause under pressure.
 *
 * <p>Confined to its event loop, except {@link #onPoolPressure}, which any thread may call and which hands the
 * news to the loop.
 */
final class LoopMemory
{
    private final MemoryPool pool;
    private final RegionAllocator allocator;
    private final EventExecutor executor;
    private final Set<MemoryPressureGate> clientGates = new HashSet<>();
    private boolean underPressure;

    LoopMemory(final MemoryPool pool, final RegionAllocator allocator, final EventExecutor executor)
    {
        this.pool = pool;
        this.allocator = allocator;
        this.executor = executor;
        this.underPressure = pool.underPressure();
    }

    RegionAllocator allocator()
    {
        return allocator;
    }

    EventExecutor executor()
    {
        return executor;
    }

    void register(final MemoryPressureGate gate)
    {
        clientGates.add(gate);
        if (underPressure)
        {
            gate.onMemoryPressure(true);
            pool.onReadsPaused();
        }
    }

    void unregister(final MemoryPressureGate gate)
    {
        clientGates.remove(gate);
    }

    void onPoolPressure(final boolean pressure)
    {
        executor.execute(() -> apply(pressure));
    }

    private void apply(final boolean pressure)
    {
        // Pressure can flip twice before this runs; the pool's state now is what counts.
        final boolean now = pool.underPressure();
        if (now == underPressure)
        {
            return;
        }
        underPressure = now;
        if (now)
        {
            // Empty chunks this loop keeps for itself are better used by whoever is short.
            allocator.trim();
        }
        for (final MemoryPressureGate gate : clientGates)
        {
            gate.onMemoryPressure(now);
        }
        if (now && !clientGates.isEmpty())
        {
            pool.onReadsPaused();
        }
    }
}
