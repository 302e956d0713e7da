package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.acl.AclAuthorizer;
import io.kafkaproxy.proxy.acl.ClientAcl;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;

import java.net.InetAddress;

/**
 * The authorization stage of a connection's policy: decides each request against the client's ACL rules and records
 * every denial (metric and audit).
 *
 * <p>The hot path reads nothing when no rule can deny anything to the client; otherwise Produce and Fetch topics are
 * walked in place with the request's flyweights and nothing is allocated unless a topic is denied. Denials are
 * decided on the rare paths with Kafka's generated classes ({@link ProduceDenials}, {@link FetchDenials},
 * {@link MetadataDenials}, {@link CoordinatorDenials}, {@link AdminDenials}). Rules are a snapshot: each request
 * checks whether a reload published new ones. Confined to the connection's event loop.
 */
final class AuthorizationStage implements ResourceChecks
{
    private final PolicyServices services;
    private final ByteBufAllocator alloc;
    private final InetAddress clientAddress;
    private String principal;
    private AclAuthorizer aclSnapshot;
    private ClientAcl acl;
    private short apiKey;
    private final TopicVerdicts writeVerdicts = (name, id) -> topicError(AclOperation.WRITE, name, id);
    private final TopicVerdicts readVerdicts = (name, id) -> topicError(AclOperation.READ, name, id);
    // Metadata names topics; denials are recorded after the response is amended, once per topic.
    private final TopicVerdicts describeVerdicts = (name, id) -> acl.isAllowed(AclResourceType.TOPIC, AclOperation.DESCRIBE, name) ?
        Errors.NONE.code() : Errors.TOPIC_AUTHORIZATION_FAILED.code();

    /**
     * Creates the stage of one connection.
     *
     * @param services      the proxy's policy.
     * @param alloc         allocates rewritten requests.
     * @param clientAddress the client's address, for address rules.
     */
    AuthorizationStage(final PolicyServices services, final ByteBufAllocator alloc, final InetAddress clientAddress)
    {
        this.services = services;
        this.alloc = alloc;
        this.clientAddress = clientAddress;
    }

    /**
     * The connection's principal changed: its rules are looked up again at the next request.
     *
     * @param name the new principal.
     */
    void onPrincipal(final String name)
    {
        principal = name;
        aclSnapshot = null;
    }

    /**
     * Takes the current rules for the client, if a reload or a new principal changed them.
     */
    void refresh()
    {
        final AclAuthorizer current = services.acl();
        if (current != aclSnapshot)
        {
            aclSnapshot = current;
            acl = current.forClient(principal, clientAddress);
        }
    }

    /**
     * Decides a request.
     *
     * @param request  the request, decoded once.
     * @param decision receives the decision; left at PASS when nothing is denied.
     */
    void authorize(final DecodedRequest request, final RequestDecision decision)
    {
        if (acl.allowsEverything())
        {
            return;
        }
        apiKey = request.apiKey();
        final ByteBuf frame = request.frame();
        final int bodyOffset = request.bodyOffset();
        final short apiVersion = request.apiVersion();
        switch (apiKey)
        {
            case ApiKeyIds.PRODUCE:
                authorizeProduce(request, decision);
                return;
            case ApiKeyIds.FETCH:
                authorizeFetch(request, decision);
                return;
            case ApiKeyIds.METADATA:
                if (!acl.allowsAll(AclResourceType.TOPIC, AclOperation.DESCRIBE))
                {
                    decision.amendResponse(MetadataDenials.forRequest(frame, bodyOffset, apiVersion, describeVerdicts));
                }
                return;
            default:
                if (CoordinatorDenials.decides(apiKey))
                {
                    if (CoordinatorDenials.mayDeny(apiKey, acl))
                    {
                        CoordinatorDenials.decide(frame, bodyOffset, apiKey, apiVersion, this, decision);
                    }
                }
                else if (AdminDenials.decides(apiKey) && AdminDenials.mayDeny(apiKey, acl))
                {
                    AdminDenials.decide(alloc, frame, bodyOffset, apiKey, apiVersion, this, decision);
                }
        }
    }

    /**
     * Whether deciding a request of an api may need its body beyond its head, under the current rules (take them
     * first: {@link #refresh}). Only Produce is ever decided from its head: its transactional id is there, its topics
     * are not, so it needs its body unless the rules allow every topic and every transactional id a write. Any other
     * api is read whole.
     *
     * @param apiKey the request's api key.
     * @return true if the request must come whole to {@link #authorize}.
     */
    boolean readsRequest(final short apiKey)
    {
        return apiKey != ApiKeyIds.PRODUCE || !acl.allowsEverything() && !(acl.allowsAll(AclResourceType.TOPIC, AclOperation.WRITE)
            && acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE));
    }

    /**
     * Records the denials an amendment made in a response, once it is applied.
     *
     * @param responseApiKey the request's api key.
     * @param amendment      the applied amendment.
     */
    void onAmended(final short responseApiKey, final ResponseAmendment amendment)
    {
        if (amendment instanceof MetadataDenials)
        {
            apiKey = responseApiKey;
            for (final String topic : ((MetadataDenials)amendment).deniedNames())
            {
                allows(AclResourceType.TOPIC, AclOperation.DESCRIBE, topic);
            }
        }
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

    private void authorizeProduce(final DecodedRequest request, final RequestDecision decision)
    {
        final UnsafeBuffer view = request.view();
        final ProduceRequestFlyweight produce = request.produce();
        final boolean acksNone = produce.acks() == ProduceRequestFlyweight.ACKS_NONE;
        if (produce.transactionalIdLength() >= 0 && !acl.allowsAll(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE) &&
            !allows(AclResourceType.TRANSACTIONAL_ID, AclOperation.WRITE,
                view.getStringWithoutLengthUtf8(produce.transactionalIdOffset(), produce.transactionalIdLength())))
        {
            denyWhole(request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, acksNone, decision);
            return;
        }
        if (acl.allowsAll(AclResourceType.TOPIC, AclOperation.WRITE) || !anyTopicDenied(request.produceTopics(), view))
        {
            return;
        }
        new ProduceDenials().split(alloc, request.frame(), request.bodyOffset(), request.apiVersion(), writeVerdicts, decision);
        if (acksNone)
        {
            services.metrics().onDroppedPartitions(decision.deniedPartitions());
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

    private void authorizeFetch(final DecodedRequest request, final RequestDecision decision)
    {
        if (acl.allowsAll(AclResourceType.TOPIC, AclOperation.READ))
        {
            return;
        }
        final UnsafeBuffer view = request.view();
        final FetchRequestFlyweight fetch = request.fetch();
        while (fetch.nextTopic())
        {
            if (fetch.namesTopicsById() ?
                !allowedById(AclOperation.READ, fetch.topicIdMostSignificantBits(), fetch.topicIdLeastSignificantBits()) :
                !acl.isAllowed(AclResourceType.TOPIC, AclOperation.READ, view, fetch.topicNameOffset(), fetch.topicNameLength()))
            {
                new FetchDenials().split(alloc, request.frame(), request.bodyOffset(), request.apiVersion(), readVerdicts, decision);
                return;
            }
        }
    }

    private boolean allowedById(final AclOperation operation, final long mostSignificantBits, final long leastSignificantBits)
    {
        final String name = services.topicIds().name(mostSignificantBits, leastSignificantBits);
        return name != null && acl.isAllowed(AclResourceType.TOPIC, operation, name);
    }

    private void denyWhole(final DecodedRequest request, final Errors error, final boolean acksNone, final RequestDecision decision)
    {
        if (acksNone)
        {
            decision.drop();
            return;
        }
        final AbstractRequest parsed = KafkaMessageFrames.read(request.frame(), request.bodyOffset(), request.apiVersion(),
            body -> AbstractRequest.parseRequest(ApiKeys.forId(apiKey), request.apiVersion(), body).request);
        decision.answer(parsed.getErrorResponse(0, error.exception()).data());
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
}
