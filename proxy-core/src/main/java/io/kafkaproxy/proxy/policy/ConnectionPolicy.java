package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.responses.MetadataResponseFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.sasl.SaslUsernames;
import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.acl.ClientAcl;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.metrics.PolicyMetrics.Quota;
import io.kafkaproxy.proxy.ratelimit.ClientQuotas;
import io.kafkaproxy.proxy.ratelimit.ConnectionRejection;
import io.kafkaproxy.proxy.ratelimit.QuotaBook;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The policy of one client connection: who the client is, what its ACL rules let it do, and how fast its quotas
 * let it go, applied to each request and each response.
 *
 * <p><b>Principal.</b> The client's SASL username once the broker accepted its PLAIN or SCRAM authentication (the
 * proxy reads the username from SaslAuthenticate without terminating SASL), otherwise its client.id; rules may
 * also match its address. Another source (an mTLS certificate) would set the principal the same way.
 *
 * <p><b>Requests.</b> {@link #onRequest} decides a request: pass it (the hot path: when no rule can deny anything
 * to this client nothing is read; otherwise Produce and Fetch topics are walked in place with flyweights and
 * nothing is allocated unless a topic is denied), forward a rewritten request without the denied topics, answer
 * it with the broker's own error for a denial, or drop it (acks=0). Quotas are charged at the request (requests,
 * produce bytes) and the response (fetch bytes); the throttle they impose is carried in the response's
 * {@code throttle_time_ms} (the larger of the broker's and the proxy's, KIP-219) and the caller stops reading from
 * the client until it ends.
 *
 * <p><b>Reload.</b> Rules and quotas are snapshots; at each request the connection checks whether a reload
 * published new ones and rebuilds its view, so new rules apply from the next request without reconnecting.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ConnectionPolicy implements ResourceChecks
{
    /** Forward the request as read. */
    public static final int PASS = PolicyOutcome.PASS;
    /** Forward {@link #replacement()} instead, applying {@link #amendment()} to its response. */
    public static final int FORWARD = PolicyOutcome.FORWARD;
    /** Answer with {@link #replacement()}, the proxy's own response. */
    public static final int ANSWER = PolicyOutcome.ANSWER;
    /** Nothing to send: an acks=0 Produce whose topics were all denied. */
    public static final int DROP = PolicyOutcome.DROP;
    /** The client is over a connection limit: close the connection. */
    public static final int REJECT = 4;

    private static final short FIRST_TOPIC_ID_METADATA_VERSION = 10;

    private final PolicyServices services;
    private final ByteBufAllocator alloc;
    private final InetAddress clientAddress;
    private final PolicyFlyweights flyweights;
    private String principal;
    private boolean saslAuthenticated;
    private boolean rejectedPrincipal;
    private byte[] clientIdBytes;
    private String limitedPrincipal;
    private AclAuthorizer aclSnapshot;
    private ClientAcl acl;
    private QuotaBook quotaSnapshot;
    private ClientQuotas quotas;
    private String saslMechanism;
    private String pendingSaslUsername;
    private long throttleUntilNanos;
    private short apiKey;
    private ByteBuf replacement;
    private ResponseAmendment amendment;
    private TopicVerdicts writeVerdicts;
    private TopicVerdicts readVerdicts;
    private TopicVerdicts describeVerdicts;

    /**
     * Creates the policy of a newly accepted connection.
     *
     * @param services      the proxy's policy.
     * @param alloc         allocates rewritten frames.
     * @param clientAddress the client's address, for address rules and limits.
     */
    public ConnectionPolicy(final PolicyServices services, final ByteBufAllocator alloc, final InetAddress clientAddress)
    {
        this.services = services;
        this.alloc = alloc;
        this.clientAddress = clientAddress;
        this.flyweights = PolicyFlyweights.current();
    }

    /**
     * The client connected: checks the limits on connections from its address.
     *
     * @return true if it may stay; false if it must be closed (already counted and audited).
     */
    public boolean onConnected()
    {
        final ConnectionRejection refused = services.connectionLimiter().tryAcquireAddress(clientAddress, System.nanoTime());
        if (refused != null)
        {
            onRejected(refused);
            return false;
        }
        return true;
    }

    /**
     * The connection closed: gives back what it held against the connection limits.
     */
    public void onClosed()
    {
        final long nowNanos = System.nanoTime();
        services.connectionLimiter().releaseAddress(clientAddress, nowNanos);
        if (limitedPrincipal != null)
        {
            services.connectionLimiter().releasePrincipal(limitedPrincipal, nowNanos);
            limitedPrincipal = null;
        }
    }

    /**
     * Decides a request.
     *
     * @param frame      the request, size field first; not released here, whatever the outcome.
     * @param header     its header, wrapped over {@code view}.
     * @param view       the view over the frame.
     * @param nowNanos   the time it was read.
     * @return {@link #PASS}, {@link #FORWARD}, {@link #ANSWER}, {@link #DROP} or {@link #REJECT}.
     */
    public int onRequest(final ByteBuf frame, final RequestHeaderFlyweight header, final UnsafeBuffer view, final long nowNanos)
    {
        apiKey = header.apiKey();
        final short apiVersion = header.apiVersion();
        replacement = null;
        amendment = null;
        if (rejectedPrincipal)
        {
            return REJECT;
        }
        if (!saslAuthenticated && !identifiedBy(view, header.clientIdOffset(), header.clientIdLength()))
        {
            if (!becomePrincipal(clientId(view, header.clientIdOffset(), header.clientIdLength())))
            {
                return REJECT;
            }
        }
        refreshSnapshots();
        if (apiKey == ApiKeyIds.SASL_HANDSHAKE || apiKey == ApiKeyIds.SASL_AUTHENTICATE)
        {
            sniffSasl(frame, header, view, apiVersion);
        }
        chargeRequest(frame, header, view, nowNanos);
        if (acl.allowsEverything())
        {
            return PASS;
        }
        final PolicyOutcome outcome = flyweights.outcome;
        outcome.reset();
        authorize(frame, header, view, apiVersion, outcome);
        amendment = outcome.amendment();
        switch (outcome.kind())
        {
            case PolicyOutcome.FORWARD:
                replacement = outcome.frame();
                return FORWARD;
            case PolicyOutcome.ANSWER:
                replacement = KafkaMessageFrames.response(alloc, header.correlationId(),
                    ApiHeaderVersions.responseHeaderVersion(apiKey, apiVersion), outcome.answer(), apiVersion);
                return ANSWER;
            case PolicyOutcome.DROP:
                return DROP;
            default:
                return PASS;
        }
    }

    /**
     * The request to forward or the answer to send, after {@link #onRequest} returned {@link #FORWARD} or
     * {@link #ANSWER}.
     *
     * @return the frame, now owned by the caller.
     */
    public ByteBuf replacement()
    {
        return replacement;
    }

    /**
     * The change owed to the response of the last request decided, to keep with it in flight.
     *
     * @return the amendment, or null.
     */
    public ResponseAmendment amendment()
    {
        return amendment;
    }

    /**
     * How long reads from the client must stay paused for the throttle its quotas imposed.
     *
     * @param nowNanos the time now.
     * @return nanoseconds, 0 when not throttled.
     */
    public long throttleRemainingNanos(final long nowNanos)
    {
        final long remaining = throttleUntilNanos - nowNanos;
        return remaining > 0 ? remaining : 0;
    }

    /**
     * Applies the policy to a broker response on its way to the client.
     *
     * @param response   the response, size field first; ownership moves here.
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @param bodyOffset where the response body starts.
     * @param amendment  the change owed to it, or null.
     * @param nowNanos   the time now.
     * @return the response to send, owned by the caller.
     */
    public ByteBuf onResponse(
        final ByteBuf response, final short apiKey, final short apiVersion, final int bodyOffset, final ResponseAmendment amendment,
        final long nowNanos)
    {
        ByteBuf out = response;
        this.apiKey = apiKey;
        if (amendment != null)
        {
            out = amendment.amend(alloc, out, bodyOffset, apiVersion);
            if (amendment instanceof MetadataDenials)
            {
                for (final String topic : ((MetadataDenials)amendment).deniedNames())
                {
                    allows(AclResourceType.TOPIC, AclOperation.DESCRIBE, topic);
                }
            }
        }
        if (apiKey == ApiKeyIds.SASL_AUTHENTICATE && pendingSaslUsername != null)
        {
            if (out.getShort(out.readerIndex() + bodyOffset) == Errors.NONE.code())
            {
                onSaslAuthenticated();
            }
        }
        else if (apiKey == ApiKeyIds.METADATA && apiVersion >= FIRST_TOPIC_ID_METADATA_VERSION)
        {
            learnTopicIds(out, bodyOffset, apiVersion);
        }
        else if (apiKey == ApiKeyIds.FETCH && quotas != null && quotas.hasByteQuotas())
        {
            impose(Quota.FETCH, quotas.onFetchBytes(out.readableBytes(), nowNanos), nowNanos);
        }
        final long throttleNanos = throttleUntilNanos - nowNanos;
        if (throttleNanos > 0)
        {
            carryThrottle(out, apiKey, apiVersion, bodyOffset, throttleNanos);
        }
        return out;
    }

    @Override
    public boolean allows(final AclResourceType type, final AclOperation operation, final String name)
    {
        if (acl.isAllowed(type, operation, name))
        {
            return true;
        }
        services.metrics().onDenied(apiKey, type);
        services.audit().recordDenied(principal, clientAddress, apiKey, type, operation, name == null ? "kafka-cluster" : name);
        return false;
    }

    private void authorize(
        final ByteBuf frame, final RequestHeaderFlyweight header, final UnsafeBuffer view, final short apiVersion,
        final PolicyOutcome outcome)
    {
        final int bodyOffset = header.bodyOffset();
        switch (apiKey)
        {
            case ApiKeyIds.PRODUCE:
                authorizeProduce(frame, view, bodyOffset, header.bodyLength(), apiVersion, outcome);
                return;
            case ApiKeyIds.FETCH:
                authorizeFetch(frame, view, bodyOffset, header.bodyLength(), apiVersion, outcome);
                return;
            case ApiKeyIds.METADATA:
                if (!acl.allowsAll(AclResourceType.TOPIC, AclOperation.DESCRIBE))
                {
                    outcome.amendResponse(MetadataDenials.forRequest(frame, bodyOffset, apiVersion, describeVerdicts()));
                }
                return;
            default:
                if (CoordinatorDenials.decides(apiKey))
                {
                    if (CoordinatorDenials.mayDeny(apiKey, acl))
                    {
                        CoordinatorDenials.decide(frame, bodyOffset, apiKey, apiVersion, this, outcome);
                    }
                }
                else if (AdminDenials.decides(apiKey) && AdminDenials.mayDeny(apiKey, acl))
                {
                    AdminDenials.decide(alloc, frame, bodyOffset, apiKey, apiVersion, this, outcome);
                }
        }
    }

    private void authorizeProduce(
        final ByteBuf frame, final UnsafeBuffer view, final int bodyOffset, final int bodyLength, final short apiVersion,
        final PolicyOutcome outcome)
    {
        final ProduceRequestFlyweight produce = flyweights.produceRequest.wrap(view, bodyOffset, bodyLength, apiVersion);
        final boolean acksNone = produce.acks() == ProduceRequestFlyweight.ACKS_NONE;
        if (produce.transactionalIdLength() >= 0 && !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE) &&
            !allows(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE,
                view.getStringWithoutLengthUtf8(produce.transactionalIdOffset(), produce.transactionalIdLength())))
        {
            denyWhole(frame, bodyOffset, apiVersion, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, acksNone, outcome);
            return;
        }
        if (acl.allowsAll(AclResourceType.TOPIC, AclOperation.WRITE) || !anyTopicDenied(produce, view))
        {
            return;
        }
        ProduceDenials.split(alloc, frame, bodyOffset, apiVersion, writeVerdicts(), outcome);
        if (acksNone)
        {
            services.metrics().onDroppedPartitions(outcome.deniedPartitions());
        }
    }

    private boolean anyTopicDenied(final ProduceRequestFlyweight produce, final DirectBuffer view)
    {
        while (produce.nextTopic())
        {
            if (produce.namesTopicsById() ?
                !allowedById(AclOperation.WRITE, produce.topicIdMostSignificantBits(), produce.topicIdLeastSignificantBits()) :
                !acl.isAllowed(AclResourceType.TOPIC, AclOperation.WRITE, view, produce.topicNameOffset(), produce.topicNameLength()))
            {
                return true;
            }
        }
        return false;
    }

    private void authorizeFetch(
        final ByteBuf frame, final UnsafeBuffer view, final int bodyOffset, final int bodyLength, final short apiVersion,
        final PolicyOutcome outcome)
    {
        if (acl.allowsAll(AclResourceType.TOPIC, AclOperation.READ))
        {
            return;
        }
        final FetchRequestFlyweight fetch = flyweights.fetchRequest.wrap(view, bodyOffset, bodyLength, apiVersion);
        while (fetch.nextTopic())
        {
            if (fetch.namesTopicsById() ?
                !allowedById(AclOperation.READ, fetch.topicIdMostSignificantBits(), fetch.topicIdLeastSignificantBits()) :
                !acl.isAllowed(AclResourceType.TOPIC, AclOperation.READ, view, fetch.topicNameOffset(), fetch.topicNameLength()))
            {
                FetchDenials.split(alloc, frame, bodyOffset, apiVersion, readVerdicts(), outcome);
                return;
            }
        }
    }

    private boolean allowedById(final AclOperation operation, final long mostSignificantBits, final long leastSignificantBits)
    {
        final String name = services.topicIds().name(mostSignificantBits, leastSignificantBits);
        return name != null && acl.isAllowed(AclResourceType.TOPIC, operation, name);
    }

    private void denyWhole(
        final ByteBuf frame, final int bodyOffset, final short apiVersion, final Errors error, final boolean acksNone,
        final PolicyOutcome outcome)
    {
        if (acksNone)
        {
            outcome.drop();
            return;
        }
        final AbstractRequest request = AbstractRequest.parseRequest(
            ApiKeys.forId(apiKey), apiVersion, KafkaMessageFrames.body(frame, bodyOffset)).request;
        outcome.answer(request.getErrorResponse(0, error.exception()).data());
    }

    private short topicError(final AclOperation operation, final String name, final Uuid id)
    {
        final String topic = name != null ? name : services.topicIds().name(id.getMostSignificantBits(), id.getLeastSignificantBits());
        if (topic == null)
        {
            // An id the proxy has not seen in a Metadata response: the client refreshes its metadata and retries.
            return Errors.UNKNOWN_TOPIC_ID.code();
        }
        return allows(AclResourceType.TOPIC, operation, topic) ? Errors.NONE.code() : Errors.TOPIC_AUTHORIZATION_FAILED.code();
    }

    private TopicVerdicts writeVerdicts()
    {
        if (writeVerdicts == null)
        {
            writeVerdicts = (name, id) -> topicError(AclOperation.WRITE, name, id);
        }
        return writeVerdicts;
    }

    private TopicVerdicts readVerdicts()
    {
        if (readVerdicts == null)
        {
            readVerdicts = (name, id) -> topicError(AclOperation.READ, name, id);
        }
        return readVerdicts;
    }

    private TopicVerdicts describeVerdicts()
    {
        if (describeVerdicts == null)
        {
            // Metadata names topics; denials are recorded after the response is amended, once per topic.
            describeVerdicts = (name, id) -> acl.isAllowed(AclResourceType.TOPIC, AclOperation.DESCRIBE, name) ?
                Errors.NONE.code() : Errors.TOPIC_AUTHORIZATION_FAILED.code();
        }
        return describeVerdicts;
    }

    private void chargeRequest(final ByteBuf frame, final RequestHeaderFlyweight header, final UnsafeBuffer view, final long nowNanos)
    {
        if (quotas == null)
        {
            return;
        }
        impose(Quota.REQUEST, quotas.onRequest(nowNanos), nowNanos);
        if (apiKey == ApiKeyIds.PRODUCE && quotas.hasByteQuotas())
        {
            impose(Quota.PRODUCE, quotas.onProduceBytes(frame.readableBytes(), nowNanos), nowNanos);
        }
        if (apiKey == ApiKeyIds.PRODUCE && quotas.hasTopicQuotas())
        {
            impose(Quota.PRODUCE, chargeTopics(header, view, nowNanos), nowNanos);
        }
    }

    private long chargeTopics(final RequestHeaderFlyweight header, final UnsafeBuffer view, final long nowNanos)
    {
        final ProduceRequestFlyweight produce =
            flyweights.produceRequest.wrap(view, header.bodyOffset(), header.bodyLength(), header.apiVersion());
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

    private void impose(final Quota quota, final long throttleNanos, final long nowNanos)
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
        final int throttleMillis = (int)Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(throttleNanos + 999_999));
        final int offset;
        if (isContiguous(response))
        {
            final UnsafeBuffer view = ByteBufViews.wrapReadable(flyweights.responseView, response);
            offset = flyweights.throttleTimeLocator.throttleTimeOffset(
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
        final int index = response.readerIndex() + offset;
        if (response.getInt(index) < throttleMillis)
        {
            response.setInt(index, throttleMillis);
        }
    }

    private void learnTopicIds(final ByteBuf response, final int bodyOffset, final short apiVersion)
    {
        final UnsafeBuffer view = flyweights.responseView;
        if (isContiguous(response))
        {
            ByteBufViews.wrapReadable(view, response);
        }
        else
        {
            // Spliced by the address rewrite: Metadata is rare, so it is read from one merged copy.
            view.wrap(response.nioBuffer());
        }
        final MetadataResponseFlyweight metadata =
            flyweights.metadataResponse.wrap(view, bodyOffset, response.readableBytes() - bodyOffset, apiVersion);
        final TopicIdNames topicIds = services.topicIds();
        while (metadata.nextTopic())
        {
            if (metadata.topicNameLength() > 0)
            {
                topicIds.learn(metadata.topicIdMostSignificantBits(), metadata.topicIdLeastSignificantBits(), view,
                    metadata.topicNameOffset(), metadata.topicNameLength());
            }
        }
    }

    private void sniffSasl(final ByteBuf frame, final RequestHeaderFlyweight header, final UnsafeBuffer view, final short apiVersion)
    {
        if (apiKey == ApiKeyIds.SASL_HANDSHAKE)
        {
            saslMechanism = new SaslHandshakeRequestData(KafkaMessageFrames.body(frame, header.bodyOffset()), apiVersion).mechanism();
            return;
        }
        if (saslMechanism == null)
        {
            return;
        }
        final SaslAuthenticateRequestFlyweight authenticate =
            flyweights.saslAuthenticate.wrap(view, header.bodyOffset(), header.bodyLength(), apiVersion);
        final String username;
        if ("PLAIN".equals(saslMechanism))
        {
            username = SaslUsernames.plainUsername(view, authenticate.authBytesOffset(), authenticate.authBytesLength());
        }
        else if (saslMechanism.startsWith("SCRAM-"))
        {
            username = SaslUsernames.scramUsername(view, authenticate.authBytesOffset(), authenticate.authBytesLength());
        }
        else
        {
            // OAUTHBEARER, GSSAPI: the principal stays the client.id.
            username = null;
        }
        if (username != null)
        {
            pendingSaslUsername = username;
        }
    }

    private void onSaslAuthenticated()
    {
        final String username = pendingSaslUsername;
        pendingSaslUsername = null;
        saslAuthenticated = true;
        // A connection over its principal's limit is closed at its next request.
        rejectedPrincipal = !becomePrincipal(username);
    }

    private boolean identifiedBy(final DirectBuffer view, final int offset, final int length)
    {
        final byte[] known = clientIdBytes;
        if (known == null || length < 0 || known.length != length)
        {
            return known != null && length < 0 && known.length == 0;
        }
        for (int i = 0; i < length; i++)
        {
            if (view.getByte(offset + i) != known[i])
            {
                return false;
            }
        }
        return true;
    }

    private String clientId(final DirectBuffer view, final int offset, final int length)
    {
        if (length <= 0)
        {
            clientIdBytes = new byte[0];
            return "";
        }
        clientIdBytes = new byte[length];
        view.getBytes(offset, clientIdBytes);
        return new String(clientIdBytes, StandardCharsets.UTF_8);
    }

    private boolean becomePrincipal(final String name)
    {
        if (!name.equals(principal))
        {
            if (limitedPrincipal != null)
            {
                services.connectionLimiter().releasePrincipal(limitedPrincipal, System.nanoTime());
                limitedPrincipal = null;
            }
            final ConnectionRejection refused = services.connectionLimiter().tryAcquirePrincipal(name, System.nanoTime());
            principal = name;
            aclSnapshot = null;
            quotaSnapshot = null;
            if (refused != null)
            {
                rejectedPrincipal = true;
                onRejected(refused);
                return false;
            }
            limitedPrincipal = name;
        }
        return true;
    }

    private void refreshSnapshots()
    {
        final AclAuthorizer currentAcl = services.acl();
        if (currentAcl != aclSnapshot)
        {
            aclSnapshot = currentAcl;
            acl = currentAcl.forClient(principal, clientAddress);
        }
        final QuotaBook currentQuotas = services.quotas();
        if (currentQuotas != quotaSnapshot)
        {
            quotaSnapshot = currentQuotas;
            quotas = currentQuotas.forClient(principal);
        }
    }

    private void onRejected(final ConnectionRejection rejection)
    {
        services.metrics().onConnectionRejected(rejection.reason());
        services.audit().recordConnectionRejected(principal, clientAddress, rejection.reason());
    }

    private static boolean isContiguous(final ByteBuf buffer)
    {
        return buffer.hasMemoryAddress() || buffer.hasArray() || buffer.nioBufferCount() == 1;
    }

    /**
     * The principal the connection's rules and quotas follow now.
     *
     * @return the SASL username, else the client.id; null before the first request.
     */
    public String principal()
    {
        return principal;
    }

}
