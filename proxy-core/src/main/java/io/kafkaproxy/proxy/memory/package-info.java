/**
 * The proxy's use of the {@code mempool} module: every buffer of a client or broker channel lives in pool memory,
 * under one hard budget.
 *
 * <p>{@link io.kafkaproxy.proxy.memory.PoolByteBufAllocator} is the channels' allocator and keeps one region
 * allocator per event loop; {@link io.kafkaproxy.proxy.memory.RegionByteBuf} is a buffer over a region, or a
 * recycled view of one; {@link io.kafkaproxy.proxy.memory.PoolRecvByteBufAllocator} makes each socket read land
 * in pool memory, straight into the frame being assembled when there is one.
 *
 * <p>When memory runs short, reads pause, nothing fails: above the pool's high watermark every client channel
 * stops reading (brokers keep being read, so that responses, which free memory, keep flowing); a channel whose
 * allocation the pool refuses stops reading until memory comes back ({@link io.kafkaproxy.proxy.memory.ChannelMemoryWait}).
 * What clients' frames hold before their bytes arrive is bounded in bytes and in time
 * ({@link io.kafkaproxy.proxy.memory.FramePromises}).
 */
package io.kafkaproxy.proxy.memory;
