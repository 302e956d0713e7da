package io.kafkaproxy.proxy.cluster;

/**
 * The one reference through which a cluster's current {@link ClusterSnapshot} is published.
 *
 * <p>Written by the reload thread (through the proxy's lifecycle API), read by every event loop: one volatile
 * field, a plain load on x86. Readers take the snapshot once per use (a frame, a connect, a request, a new
 * connection) and read all they need from that one snapshot, never mixing two.
 */
public final class ClusterSnapshotReference
{
    private volatile ClusterSnapshot current;

    /**
     * Creates the reference with the snapshot the cluster starts with.
     *
     * @param initial the first snapshot.
     */
    public ClusterSnapshotReference(final ClusterSnapshot initial)
    {
        publish(initial);
    }

    /**
     * The snapshot now.
     *
     * @return the snapshot last published.
     */
    public ClusterSnapshot current()
    {
        return current;
    }

    /**
     * Replaces the snapshot whole; readers see the new one from their next read.
     *
     * @param snapshot the new snapshot.
     */
    public void publish(final ClusterSnapshot snapshot)
    {
        if (snapshot == null)
        {
            throw new IllegalArgumentException("no snapshot to publish");
        }
        current = snapshot;
    }
}
