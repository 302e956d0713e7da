package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.cluster.ClusterSnapshot;
import io.kafkaproxy.proxy.cluster.ClusterSnapshotReference;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.ratelimit.ConnectionLimiter;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;

/**
 * The policy every connection of one cluster applies: the compiled ACL rules and quotas, the connection limiter,
 * the audit log, the topic-id names and the meters.
 *
 * <p>Rules and quotas live in the cluster's {@link ClusterSnapshot}, replaced whole by the reload thread and read
 * by the event loops through the one {@link ClusterSnapshotReference}; each connection checks at every request
 * whether the rules it holds are still the current ones, so new rules apply from a connection's next request
 * without reconnecting.
 */
public final class PolicyServices
{
    private final ClusterSnapshotReference snapshots;
    private final ConnectionLimiter connectionLimiter;
    private final AuditLog audit;
    private final TopicIdNames topicIds = new TopicIdNames();
    private final PolicyMetrics metrics;

    /**
     * Compiles the policy of a configuration, for a policy of its own (tests, tools).
     *
     * @param config  the configuration.
     * @param audit   the audit log, started.
     * @param metrics the policy meters.
     */
    public PolicyServices(final ProxyConfig config, final AuditLog audit, final PolicyMetrics metrics)
    {
        this(new ClusterSnapshotReference(ClusterSnapshot.compile(config)), audit, metrics);
    }

    /**
     * Creates the policy of a cluster, reading its rules and quotas from the cluster's published snapshot.
     *
     * @param snapshots the cluster's snapshot reference.
     * @param audit     the audit log, started.
     * @param metrics   the policy meters.
     */
    public PolicyServices(final ClusterSnapshotReference snapshots, final AuditLog audit, final PolicyMetrics metrics)
    {
        this.snapshots = snapshots;
        this.audit = audit;
        this.metrics = metrics;
        this.connectionLimiter = new ConnectionLimiter(snapshots.current().quotas());
    }

    /**
     * Brings the policy's stateful parts up to a snapshot just published: the connection limiter keeps its counts
     * and takes the new limits, and the audit log its new settings. Rules and quotas need nothing: connections
     * read them from the snapshot.
     *
     * @param snapshot the snapshot just published.
     */
    public void onPublished(final ClusterSnapshot snapshot)
    {
        connectionLimiter.reconfigure(snapshot.quotas());
        audit.reconfigure(snapshot.audit());
    }

    AclAuthorizer acl()
    {
        return snapshots.current().acl();
    }

    QuotaBook quotas()
    {
        return snapshots.current().quotas();
    }

    ConnectionLimiter connectionLimiter()
    {
        return connectionLimiter;
    }

    AuditLog audit()
    {
        return audit;
    }

    /**
     * The topic names learnt by id.
     *
     * @return the shared map.
     */
    public TopicIdNames topicIds()
    {
        return topicIds;
    }

    PolicyMetrics metrics()
    {
        return metrics;
    }
}
