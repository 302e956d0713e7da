package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.acl.ClientAcl;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.ratelimit.ClientQuotas;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What one gateway client (an HTTP caller, an MQTT session, a subscriber) may do: the ACL and quotas of its principal
 * and address under the current snapshot, the very rules a Kafka client with that principal gets. Immutable and
 * shareable; ask {@link GatewayAccess#forClient} again after a reload to see new rules (it caches).
 */
public final class GatewayClient
{
    private final String principal;
    private final ClientAcl acl;
    private final ClientQuotas quotas;
    private final Object snapshot;

    GatewayClient(final String principal, final ClientAcl acl, final ClientQuotas quotas, final Object snapshot)
    {
        this.principal = principal;
        this.acl = acl;
        this.quotas = quotas;
        this.snapshot = snapshot;
    }

    /**
     * The principal.
     *
     * @return its name.
     */
    public String principal()
    {
        return principal;
    }

    /**
     * Whether it may produce to a topic.
     *
     * @param topic the topic.
     * @return true if allowed.
     */
    public boolean mayWrite(final String topic)
    {
        return acl.isAllowed(AclResourceType.TOPIC, AclOperation.WRITE, topic);
    }

    /**
     * Whether it may read a topic.
     *
     * @param topic the topic.
     * @return true if allowed.
     */
    public boolean mayRead(final String topic)
    {
        return acl.isAllowed(AclResourceType.TOPIC, AclOperation.READ, topic);
    }

    /**
     * Whether it may see a topic's metadata.
     *
     * @param topic the topic.
     * @return true if allowed.
     */
    public boolean mayDescribe(final String topic)
    {
        // As with Kafka's authorizer, a principal that may read or write a topic may also describe it.
        return acl.isAllowed(AclResourceType.TOPIC, AclOperation.DESCRIBE, topic) || mayWrite(topic) || mayRead(topic);
    }

    /**
     * Whether it may read as a member of a consumer group.
     *
     * @param group the group id.
     * @return true if allowed.
     */
    public boolean mayReadGroup(final String group)
    {
        return acl.isAllowed(AclResourceType.GROUP, AclOperation.READ, group);
    }

    /**
     * Charges produced bytes to the principal's and the topic's produce quotas.
     *
     * @param topic the topic.
     * @param bytes the bytes produced.
     * @return how long the client should wait, in milliseconds; 0 within its quotas.
     */
    public long produceThrottleMillis(final String topic, final long bytes)
    {
        final long now = System.nanoTime();
        long throttle = quotas.onRequest(now);
        if (quotas.hasByteQuotas())
        {
            throttle = Math.max(throttle, quotas.onProduceBytes(bytes, now));
            if (quotas.hasTopicQuotas())
            {
                final byte[] name = topic.getBytes(StandardCharsets.UTF_8);
                throttle = Math.max(throttle, quotas.onProduceBytes(new UnsafeBuffer(name), 0, name.length, bytes, now));
            }
        }
        return toMillis(throttle);
    }

    /**
     * Charges bytes delivered to the client to the principal's fetch quota.
     *
     * @param bytes the bytes delivered.
     * @return how long deliveries to the client should pause, in milliseconds; 0 within its quota.
     */
    public long fetchThrottleMillis(final long bytes)
    {
        return toMillis(quotas.onFetchBytes(bytes, System.nanoTime()));
    }

    private static long toMillis(final long nanos)
    {
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    boolean compiledFrom(final Object currentSnapshot)
    {
        return snapshot == currentSnapshot;
    }
}
