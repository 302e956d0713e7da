/**
 * Off-heap memory for frames under a hard budget: a {@link io.kafkaproxy.mempool.MemoryPool} of chunks shared by
 * all threads, and one {@link io.kafkaproxy.mempool.RegionAllocator} per thread carving regions out of its chunks
 * by bumping a pointer. Agrona and JCTools only; nothing here knows Netty.
 *
 * <p>Design notes and the measurements behind them are filled in below as they are taken.
 */
package io.kafkaproxy.mempool;
