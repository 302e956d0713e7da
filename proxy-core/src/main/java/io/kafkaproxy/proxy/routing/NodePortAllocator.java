package io.kafkaproxy.proxy.routing;

import java.util.BitSet;

/**
 * Chooses the proxy port of each broker node from a fixed range, so that the same cluster gets the same ports
 * from every proxy instance and after every restart.
 *
 * <p>A node's preferred port is {@code firstPort + floorMod(nodeId, count)}; on a collision the next free port
 * is taken, wrapping around. Node ids are KRaft's: sparse and possibly large, which is why this is a table and
 * not {@code firstPort + nodeId}. With a range of 0 ports every node listener binds an ephemeral port and this
 * allocator is not used. A port whose bind failed stays taken, so it is never handed out again.
 *
 * <p>Not thread safe: guarded by the registry that owns it.
 */
final class NodePortAllocator
{
    /** Returned when every port of the range is taken. */
    static final int NO_PORT = -1;

    private final int firstPort;
    private final int count;
    private final BitSet taken;

    NodePortAllocator(final int firstPort, final int count)
    {
        this.firstPort = firstPort;
        this.count = count;
        this.taken = new BitSet(count);
    }

    /**
     * Takes a port for a node.
     *
     * @param nodeId the broker node id.
     * @return the port, or {@link #NO_PORT}.
     */
    int allocate(final int nodeId)
    {
        if (count == 0)
        {
            return NO_PORT;
        }
        final int preferred = Math.floorMod(nodeId, count);
        int index = taken.nextClearBit(preferred);
        if (index >= count)
        {
            index = taken.nextClearBit(0);
            if (index >= preferred)
            {
                return NO_PORT;
            }
        }
        taken.set(index);
        return firstPort + index;
    }
}
