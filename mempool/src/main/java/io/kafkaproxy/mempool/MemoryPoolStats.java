package io.kafkaproxy.mempool;

/**
 * A snapshot of a pool's accounting; each figure is read without stopping the pool, so they may be a few
 * operations apart.
 *
 * @param capacityBytes       the budget.
 * @param reservedBytes       off-heap memory the pool holds: in use plus cached for reuse.
 * @param inUseBytes          memory in blocks held by allocators (chunks in use, dedicated blocks).
 * @param highWaterMarkBytes  the most memory the pool ever held.
 * @param outstandingRegions  regions handed out and not yet released.
 * @param fallbackAllocations regions too large for a chunk, given a block of their own.
 * @param allocationFailures  requests refused because the budget was spent.
 * @param pausedReadEvents    times reads were paused because memory ran short (counted by the proxy).
 */
public record MemoryPoolStats(
    long capacityBytes,
    long reservedBytes,
    long inUseBytes,
    long highWaterMarkBytes,
    long outstandingRegions,
    long fallbackAllocations,
    long allocationFailures,
    long pausedReadEvents)
{
}
