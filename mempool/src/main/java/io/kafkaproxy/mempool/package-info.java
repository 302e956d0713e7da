/**
 * Off-heap memory for frames under a hard budget: a {@link io.kafkaproxy.mempool.MemoryPool} of chunks shared by
 * all threads, and one {@link io.kafkaproxy.mempool.RegionAllocator} per event loop carving regions out of its
 * chunks by bumping a pointer. Agrona and JCTools only; nothing here knows Netty.
 *
 * <h2>Design: per-loop rings of small chunks</h2>
 *
 * <p>Each event loop allocates from its own current chunk: a region is the next aligned stretch after the last
 * one, and a chunk counts the regions alive in it. Frames mostly die in the order they were born (a request is
 * forwarded, a response goes back), so a chunk whose regions are all released is used again from its start at
 * once: release advances the ring's tail a chunk at a time, and a steady stream of frames cycles through two
 * chunks (the current one and a spare) without touching the shared pool.
 *
 * <p>A region released late (a frame a slow client has not taken yet) pins its own chunk and nothing else: the
 * allocator moves on to a fresh chunk, and the old one goes back to the pool when that last region is released.
 * That is the bound on hold-back: one chunk per late region, never the loop's memory. A region larger than a
 * chunk gets a block of whole chunks of its own from the pool (a fallback allocation, counted); blocks are cached
 * by size and freed to make room for a block of another size when the budget is spent, or once no allocator
 * needed them for an idle period ({@link io.kafkaproxy.mempool.MemoryPool#releaseIdleMemory}).
 *
 * <p>Why not one ring per loop: its tail can only advance past released frames, so the oldest live frame pins
 * everything allocated after it. Why 64 KiB chunks: the smaller the chunk, the less a late frame pins, and the
 * frame mix below runs fastest with them too (fewer distinct pages touched). Why not a size-class pool (Netty's):
 * it needs as little memory, but costs three times as much per frame and allocates on the heap.
 *
 * <h2>Measurements</h2>
 *
 * <p>2 vCPU KVM guest, JDK 17, Netty 4.2.18; commands and full tables in {@code bench/RESULTS.md}.
 *
 * <p>Memory needed to carry two million frames of the proxy's frame mix (64 B to 1 MiB; 32 in flight; one in a
 * hundred held longer by a slow connection) without ever refusing an allocation, from
 * {@code io.kafkaproxy.bench.HoldBackSimulation}:
 *
 * <table>
 *     <caption>Peak memory held, by design</caption>
 *     <tr><th>slow frames held for</th><th>live frames</th><th>one ring</th><th>64 KiB chunks</th>
 *         <th>256 KiB</th><th>1 MiB</th><th>4 MiB</th><th>Netty pooled</th></tr>
 *     <tr><td>0 frames</td><td>11.4 MiB</td><td>11.4 MiB</td><td>17.1 MiB</td><td>17.3 MiB</td><td>25.0 MiB</td>
 *         <td>24.0 MiB</td><td>20.0 MiB</td></tr>
 *     <tr><td>4,096 frames</td><td>16.6 MiB</td><td>342.4 MiB</td><td>26.9 MiB</td><td>34.8 MiB</td>
 *         <td>79.0 MiB</td><td>200.0 MiB</td><td>32.0 MiB</td></tr>
 *     <tr><td>65,536 frames</td><td>75.3 MiB</td><td>4,899.0 MiB</td><td>124.1 MiB</td><td>240.8 MiB</td>
 *         <td>698.0 MiB</td><td>2,224.0 MiB</td><td>132.0 MiB</td></tr>
 * </table>
 *
 * <p>One ring needs 13 to 40 times the memory of 64 KiB chunks as soon as some frames are held; chunks stay
 * within 1.7 times the live bytes, and under Netty's pooled allocator.
 *
 * <p>Time and heap per frame on the same mix ({@code FrameMixBenchmark}, allocate, write, release in mix order):
 * the proxy's {@code ByteBuf}s over 64 KiB chunks 30.1 ns and 0 B, bare regions 22.4 ns; Netty's pooled
 * allocator 145.5 ns and 3.2 B, its adaptive allocator 987 ns and 15.8 B, unpooled direct buffers 4,571 ns and
 * 264 B. One frame size at a time ({@code FrameAllocationBenchmark}), the proxy's buffers win everywhere but one
 * case: a 16 KiB frame released on another thread, 278 ns against the adaptive allocator's 140 (bare regions
 * 74 ns, so the cost is in the buffer wrapper's cross-thread return, not in the ring).
 *
 * <h2>Budget and reserve</h2>
 *
 * <p>The pool reserves memory lazily, as allocators ask, and never beyond the budget: a request it cannot serve
 * within the budget, even after freeing cached blocks, is refused ({@code null}), and the caller pauses and asks
 * {@link io.kafkaproxy.mempool.MemoryPool#whenMemoryReturns} to be told. Every allocator sets aside a read
 * reserve (1 MiB, or a chunk if larger) when it is made, for a socket read that is already under way when the
 * pool refuses. Above 80% of the budget in use the pool reports pressure, below 60% the end of it.
 *
 * <h2>Cross-thread release</h2>
 *
 * <p>A region released on a thread other than its allocator's goes back through a JCTools MPSC queue, drained by
 * a task on the owner's executor or by its next allocation: no lock, no allocation.
 */
package io.kafkaproxy.mempool;
