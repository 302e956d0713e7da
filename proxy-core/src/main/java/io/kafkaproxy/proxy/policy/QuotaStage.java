package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.metrics.PolicyMetrics.Quota;
import io.kafkaproxy.proxy.ratelimit.ClientQuotas;
import io.kafkaproxy.proxy.ratelimit.ConnectionRejection;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * The quota stage of a connection's policy: the connection limits on its address and principal, the quotas charged
 * for its requests (requests, produce bytes, per-topic produce bytes) and responses (fetch bytes), and the throttle
 * they impose, carried in each response's {@code throttle_time_ms} the Kafka way (KIP-219).
 *
 * <p>Every method takes the time, so the stage runs on any clock. Quotas are a snapshot: each request checks whether
 * a reload published a new one. Confined to the connection's event loop.
 */
final class QuotaStage
{
    private final PolicyServices services;
    private final InetAddress clientAddress;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();
    private String principal;
    private String limitedPrincipal;
    private QuotaBook quotaSnapshot;
    private ClientQuotas quotas;
    private long throttleUntilNanos;

    /**
     * Creates the stage of one connection.
     *
     * @param services      the proxy's policy.
     * @param clientAddress the client's address, for address limits.
     */
    QuotaStage(final PolicyServices services, final InetAddress clientAddress)
    {
        this.services = services;
        this.clientAddress = clientAddress;
    }

    /**
     * The client connected: takes a place under the limits on connections from its address.
     *
     * @param nowNanos the time now.
     * @return true if it may stay; false if it must be closed (already counted and audited).
     */
    boolean onConnected(final long nowNanos)
    {
        final ConnectionRejection refused = services.connectionLimiter().tryAcquireAddress(clientAddress, nowNanos);
        if (refused != null)
        {
            onRejected(refused);
            return false;
        }
        return true;
    }

    /**
     * The connection closed: gives back the places it held.
     *
     * @param nowNanos the time now.
     */
    void onClosed(final long nowNanos)
    {
        services.connectionLimiter().releaseAddress(clientAddress, nowNanos);
        if (limitedPrincipal != null)
        {
            services.connectionLimiter().releasePrincipal(limitedPrincipal, nowNanos);
            limitedPrincipal = null;
        }
    }

    /**
     * The connection's principal changed: moves its place to the new principal's limit, and its quotas to the new
     * principal's from the next request.
     *
     * @param name     the new principal.
     * @param nowNanos the time now.
     * @return true if the principal may have the connection; false if it is over its limit (counted and audited).
     */
    boolean onPrincipal(final String name, final long nowNanos)
    {
        if (limitedPrincipal != null)
        {
            services.connectionLimiter().releasePrincipal(limitedPrincipal, nowNanos);
            limitedPrincipal = null;
        }
        final ConnectionRejection refused = services.connectionLimiter().tryAcquirePrincipal(name, nowNanos);
        principal = name;
        quotaSnapshot = null;
        if (refused != null)
        {
            onRejected(refused);
            return false;
        }
        limitedPrincipal = name;
        return true;
    }

    /**
     * Charges a request to the quotas of the current snapshot.
     *
     * @param request  the request, decoded once.
     * @param nowNanos the time it was read.
     */
    void chargeRequest(final DecodedRequest request, final long nowNanos)
    {
        refresh();
        if (quotas == null)
        {
            return;
        }
        final short apiKey = request.apiKey();
        impose(Quota.REQUEST, apiKey, quotas.onRequest(nowNanos), nowNanos);
        if (apiKey == ApiKeyIds.PRODUCE && quotas.hasByteQuotas())
        {
            impose(Quota.PRODUCE, apiKey, quotas.onProduceBytes(request.frameLength(), nowNanos), nowNanos);
        }
        if (apiKey == ApiKeyIds.PRODUCE && quotas.hasTopicQuotas())
        {
            impose(Quota.PRODUCE, apiKey, chargeTopics(request, nowNanos), nowNanos);
        }
    }

    /**
     * Whether charging a request of an api needs its body beyond its head: a Produce request under per-topic quotas,
     * whose topics are walked. Takes the current snapshot first, as {@link #chargeRequest} would.
     *
     * @param apiKey the request's api key.
     * @return true if the request must come whole to {@link #chargeRequest}.
     */
    boolean readsRequest(final short apiKey)
    {
        refresh();
        return apiKey == ApiKeyIds.PRODUCE && quotas != null && quotas.hasTopicQuotas();
    }

    private void refresh()
    {
        final QuotaBook current = services.quotas();
        if (current != quotaSnapshot)
        {
            quotaSnapshot = current;
            quotas = current.forClient(principal);
        }
    }

    /**
     * Charges a response to the quotas, and carries the throttle in it.
     *
     * @param response   the response, size field first; changed in place.
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @param bodyOffset where the body starts, from the reader index.
     * @param nowNanos   the time now.
     */
    void onResponse(final ByteBuf response, final short apiKey, final short apiVersion, final int bodyOffset, final long nowNanos)
    {
        if (apiKey == ApiKeyIds.FETCH && quotas != null && quotas.hasByteQuotas())
        {
            impose(Quota.FETCH, apiKey, quotas.onFetchBytes(response.readableBytes(), nowNanos), nowNanos);
        }
        final long throttleNanos = throttleUntilNanos - nowNanos;
        if (throttleNanos > 0)
        {
            carryThrottle(response, apiKey, apiVersion, bodyOffset, throttleNanos);
        }
    }

    /**
     * Charges a streamed response by its length and carries the throttle in its head: see
     * {@link ConnectionPolicy#onStreamedResponseHead}.
     *
     * @param head        the response's first bytes, size field first.
     * @param apiKey      the request's api key.
     * @param apiVersion  the request's version.
     * @param bodyOffset  where the response body starts.
     * @param frameLength the whole response's length.
     * @param nowNanos    the time now.
     */
    void onStreamedResponseHead(
        final ByteBuf head, final short apiKey, final short apiVersion, final int bodyOffset, final int frameLength, final long nowNanos)
    {
        if (apiKey == ApiKeyIds.FETCH && quotas != null && quotas.hasByteQuotas())
        {
            impose(Quota.FETCH, apiKey, quotas.onFetchBytes(frameLength, nowNanos), nowNanos);
        }
        final long throttleNanos = throttleUntilNanos - nowNanos;
        final int throttleOffset = ThrottleTimeLocator.fixedBodyOffset(apiKey, apiVersion);
        if (throttleNanos > 0 && throttleOffset >= 0)
        {
            raiseThrottle(head, bodyOffset + throttleOffset, throttleNanos);
        }
    }

    /**
     * How long reads from the client must stay paused for the throttle its quotas imposed.
     *
     * @param nowNanos the time now.
     * @return nanoseconds, 0 when not throttled.
     */
    long throttleRemainingNanos(final long nowNanos)
    {
        final long remaining = throttleUntilNanos - nowNanos;
        return remaining > 0 ? remaining : 0;
    }

    private long chargeTopics(final DecodedRequest request, final long nowNanos)
    {
        final ProduceRequestFlyweight produce = request.produceTopics();
        final UnsafeBuffer view = request.view();
        long throttleNanos = 0;
        while (produce.nextTopic())
        {
            if (produce.namesTopicsById())
            {
                final DirectBuffer name = services.topicIds().nameBytes(
                    produce.topicIdMostSignificantBits(), produce.topicIdLeastSignificantBits());
                if (name != null)
                {
                    throttleNanos = Math.max(throttleNanos,
                        quotas.onProduceBytes(name, 0, name.capacity(), produce.recordBytes(), nowNanos));
                }
            }
            else
            {
                throttleNanos = Math.max(throttleNanos, quotas.onProduceBytes(
                    view, produce.topicNameOffset(), produce.topicNameLength(), produce.recordBytes(), nowNanos));
            }
        }
        return throttleNanos;
    }

    private void impose(final Quota quota, final short apiKey, final long throttleNanos, final long nowNanos)
    {
        if (throttleNanos <= 0)
        {
            return;
        }
        throttleUntilNanos = Math.max(throttleUntilNanos, nowNanos + throttleNanos);
        services.metrics().onThrottled(quota, throttleNanos);
        services.audit().recordThrottled(principal, clientAddress, apiKey, quota.label(), TimeUnit.NANOSECONDS.toMillis(throttleNanos));
    }

    private void carryThrottle(final ByteBuf response, final short apiKey, final short apiVersion, final int bodyOffset, final long throttleNanos)
    {
        final int offset;
        if (ByteBufViews.isContiguous(response))
        {
            final UnsafeBuffer view = ByteBufViews.wrapReadable(flyweights.responseView(), response);
            offset = flyweights.throttleTimeLocator().throttleTimeOffset(
                apiKey, apiVersion, view, bodyOffset, response.readableBytes() - bodyOffset);
        }
        else
        {
            // A spliced response: only a leading throttle field can be found without walking it.
            offset = ThrottleTimeLocator.hasThrottleTime(apiKey, apiVersion) && apiKey != ApiKeyIds.PRODUCE &&
                apiKey != ApiKeyIds.API_VERSIONS ? bodyOffset : ThrottleTimeLocator.NOT_PRESENT;
        }
        if (offset == ThrottleTimeLocator.NOT_PRESENT)
        {
            return;
        }
        raiseThrottle(response, offset, throttleNanos);
    }

    private static void raiseThrottle(final ByteBuf response, final int offset, final long throttleNanos)
    {
        final int throttleMillis = (int)Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(throttleNanos + 999_999));
        final int index = response.readerIndex() + offset;
        if (response.getInt(index) < throttleMillis)
        {
            response.setInt(index, throttleMillis);
        }
    }

    /**
     * Counts and audits a refused connection.
     *
     * @param rejection why it was refused.
     */
    private void onRejected(final ConnectionRejection rejection)
    {
        services.metrics().onConnectionRejected(rejection.reason());
        services.audit().recordConnectionRejected(principal, clientAddress, rejection.reason());
    }
}
