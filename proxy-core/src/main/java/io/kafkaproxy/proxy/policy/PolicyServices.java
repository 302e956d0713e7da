package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.ratelimit.ConnectionLimiter;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;

/**
 * The policy every connection of one proxy applies: the compiled ACL rules and quotas, the connection limiter,
 * the audit log, the topic-id names and the meters.
 *
 * <p>Rules and quotas are immutable snapshots, replaced whole by the reload thread and read by the event loops
 * through volatile fields; each connection checks at every request whether the snapshot it holds is still the
 * current one, so new rules apply from a connection's next request without reconnecting.
 */
public final class PolicyServices
{
    private volatile AclAuthorizer acl;
    private volatile QuotaBook quotas;
    private final ConnectionLimiter connectionLimiter;
    private final AuditLog audit;
    private final TopicIdNames topicIds = new TopicIdNames();
    private final PolicyMetrics metrics;

    /**
     * Compiles the policy of a configuration.
     *
     * @param config  the configuration.
     * @param audit   the audit log, started.
     * @param metrics the policy meters.
     */
    public PolicyServices(final ProxyConfig config, final AuditLog audit, final PolicyMetrics metrics)
    {
        this.audit = audit;
        this.metrics = metrics;
        this.acl = AclAuthorizer.compile(config.acl());
        this.quotas = new QuotaBook(config.quotas());
        this.connectionLimiter = new ConnectionLimiter(quotas);
    }

    /**
     * Publishes the rules, quotas and audit settings of a new configuration; connections take the rules and quotas
     * at their next request, and the connection limits apply to the next connection.
     *
     * @param config the new configuration, already validated.
     */
    public void apply(final ProxyConfig config)
    {
        acl = AclAuthorizer.compile(config.acl());
        final QuotaBook book = new QuotaBook(config.quotas());
        quotas = book;
        connectionLimiter.reconfigure(book);
        audit.reconfigure(config.audit());
    }

    AclAuthorizer acl()
    {
        return acl;
    }

    QuotaBook quotas()
    {
        return quotas;
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
