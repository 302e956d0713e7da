package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.cluster.ClusterSnapshot;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Resolves gateway clients' rights from the current cluster snapshot's ACL and quota book. Resolving looks at every
 * rule, so the result is cached per principal and address until a reload publishes a new snapshot.
 */
public final class GatewayAccess
{
    /** Beyond this many cached clients the cache starts over: a bound, not an eviction policy. */
    private static final int MAX_CACHED = 10_000;

    private final Supplier<ClusterSnapshot> snapshots;
    private final Map<Key, GatewayClient> cache = new ConcurrentHashMap<>();

    /**
     * Access under a cluster's snapshots.
     *
     * @param snapshots the current snapshot, read at each call.
     */
    public GatewayAccess(final Supplier<ClusterSnapshot> snapshots)
    {
        this.snapshots = snapshots;
    }

    /**
     * The rights of a client.
     *
     * @param principal the principal ({@code ANONYMOUS} when none authenticated).
     * @param address   the client's address; null if unknown.
     * @return its rights under the current snapshot.
     */
    public GatewayClient forClient(final String principal, final InetAddress address)
    {
        final ClusterSnapshot snapshot = snapshots.get();
        final Key key = new Key(principal, address);
        final GatewayClient cached = cache.get(key);
        if (cached != null && cached.compiledFrom(snapshot))
        {
            return cached;
        }
        final GatewayClient client = new GatewayClient(principal, snapshot.acl().forClient(principal, address),
            snapshot.quotas().forClient(principal), snapshot);
        if (cache.size() >= MAX_CACHED)
        {
            cache.clear();
        }
        cache.put(key, client);
        return client;
    }

    private record Key(String principal, InetAddress address)
    {
    }
}
