package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.request.DecodedRequest;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.request.ResponseAmendment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetAddress;

/**
 * The policy of one client connection: runs each request and each response through its stages, in order.
 *
 * <pre>
 *   request:  identity --> quota (charge) --> authorization --> RequestDecision (PASS, FORWARD, ANSWER, DROP, REJECT)
 *   response: amendment --> identity --> topic-id learning --> quota (charge, carry throttle)
 * </pre>
 *
 * <p><b>Identity</b> ({@link IdentityStage}): the principal comes from the first {@link PrincipalSource} that names
 * one; today the SASL username once the broker accepted a PLAIN or SCRAM login (read without terminating SASL), else
 * the client.id. A principal change moves the connection under the new principal's connection limit; a connection
 * over it is rejected. <b>Quota</b> ({@link QuotaStage}): connection limits, charges at the request (requests,
 * produce bytes) and the response (fetch bytes); the throttle is carried in {@code throttle_time_ms} (the larger of
 * the broker's and the proxy's, KIP-219) and the connection stops reading from the client until it ends.
 * <b>Authorization</b> ({@link AuthorizationStage}): ACL rules, the denials and their answers. <b>Topic ids</b>
 * ({@link TopicIdLearningStage}): names learnt from Metadata responses.
 *
 * <p><b>Reload.</b> Rules and quotas are snapshots; at each request the stages check whether a reload published new
 * ones, so new rules apply from the next request without reconnecting.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ConnectionPolicy
{
    private final ByteBufAllocator alloc;
    private final EventLoopFlyweights flyweights;
    private final IdentityStage identity;
    private final AuthorizationStage authorization;
    private final QuotaStage quotas;
    private final TopicIdLearningStage topicIds;
    private boolean rejectedPrincipal;

    /**
     * Creates the policy of a newly accepted connection whose identity comes from passthrough SASL or the client.id.
     *
     * @param services      the proxy's policy.
     * @param alloc         allocates rewritten frames.
     * @param clientAddress the client's address, for address rules and limits.
     */
    public ConnectionPolicy(final PolicyServices services, final ByteBufAllocator alloc, final InetAddress clientAddress)
    {
        this(services, alloc, clientAddress, new PrincipalSource[0]);
    }

    /**
     * Creates the policy of a newly accepted connection whose identity may come first from sources its listener knows
     * (a TLS client certificate, a SASL login the proxy terminates, an HTTP credential), then from passthrough SASL,
     * then from the client.id.
     *
     * @param services      the proxy's policy.
     * @param alloc         allocates rewritten frames.
     * @param clientAddress the client's address, for address rules and limits.
     * @param sources       the listener's identity sources, highest precedence first; may be empty.
     */
    public ConnectionPolicy(
        final PolicyServices services, final ByteBufAllocator alloc, final InetAddress clientAddress, final PrincipalSource... sources)
    {
        this(services, alloc, clientAddress, IdentityStage.passthrough(sources));
    }

    /**
     * Creates the policy of a newly accepted connection on a listener that terminates SASL: its identity comes from
     * the login the proxy checks, then from the listener's other sources, then from the client.id.
     *
     * @param services      the proxy's policy.
     * @param alloc         allocates rewritten frames.
     * @param clientAddress the client's address, for address rules and limits.
     * @param terminated    the login the proxy checks.
     * @param others        the listener's other identity sources, highest precedence first; may be empty.
     * @return the policy.
     */
    public static ConnectionPolicy terminatingSasl(final PolicyServices services, final ByteBufAllocator alloc,
        final InetAddress clientAddress, final TerminatedSaslPrincipal terminated, final PrincipalSource... others)
    {
        return new ConnectionPolicy(services, alloc, clientAddress, IdentityStage.terminatingSasl(terminated, others));
    }

    private ConnectionPolicy(
        final PolicyServices services, final ByteBufAllocator alloc, final InetAddress clientAddress, final IdentityStage identity)
    {
        this.alloc = alloc;
        this.flyweights = EventLoopFlyweights.current();
        this.identity = identity;
        this.authorization = new AuthorizationStage(services, alloc, clientAddress);
        this.quotas = new QuotaStage(services, clientAddress);
        this.topicIds = new TopicIdLearningStage(services.topicIds());
    }

    /**
     * The client connected: checks the limits on connections from its address.
     *
     * @return true if it may stay; false if it must be closed (already counted and audited).
     */
    public boolean onConnected()
    {
        return quotas.onConnected(System.nanoTime());
    }

    /**
     * The connection closed: gives back what it held against the connection limits.
     */
    public void onClosed()
    {
        quotas.onClosed(System.nanoTime());
    }

    /**
     * Decides a request.
     *
     * @param request the request, decoded once; its frame is not released here, whatever the decision.
     * @return the event loop's decision object, filled for this request; read it before the next request.
     */
    public RequestDecision onRequest(final DecodedRequest request)
    {
        final RequestDecision decision = flyweights.decision().reset();
        if (rejectedPrincipal)
        {
            return decision.reject();
        }
        if (identity.onRequest(request) && !becomePrincipal(identity.principal()))
        {
            return decision.reject();
        }
        authorization.refresh();
        quotas.chargeRequest(request, request.readNanos());
        authorization.authorize(request, decision);
        if (decision.kind() == RequestDecision.ANSWER)
        {
            final short apiVersion = request.apiVersion();
            decision.answerFrame(KafkaMessageFrames.response(alloc, request.correlationId(),
                ApiHeaderVersions.responseHeaderVersion(request.apiKey(), apiVersion), decision.answer(), apiVersion));
        }
        return decision;
    }

    /**
     * Whether a stage needs more of a request of this api than its head (header, and for Produce the body's leading
     * fields: transactional id, acks, timeout), so it must come whole to {@link #onRequest} and never stream to the
     * broker as it arrives (cut-through). Only Produce is ever decided from its head, and only while the rules allow
     * every topic and every transactional id a write and no per-topic quota walks its topics; every other api is read
     * whole (an ACL rule, a denial's answer or a rewrite may need its body, and none is large). Takes the current rules
     * and quotas first. The identity sources read a Produce request's header only, so a request found to need its body
     * after {@link #onRequestHead} is shown to them again whole without effect.
     *
     * @param apiKey the request's api key (no stage's answer depends on the version).
     * @return true if the request must be assembled whole.
     */
    public boolean readsRequest(final short apiKey)
    {
        if (apiKey != ApiKeyIds.PRODUCE)
        {
            return true;
        }
        authorization.refresh();
        return authorization.readsRequest(apiKey) || quotas.readsRequest(apiKey);
    }

    /**
     * Decides a request from its head alone, for one that may stream to the broker (cut-through): the identity stage
     * sees its header, then, unless a stage needs its body ({@link #readsRequest}), the quotas are charged (its bytes
     * by the whole frame's length) and the rules decide it, which, from the head, can only pass it.
     *
     * @param head the request's head, decoded once ({@link DecodedRequest#wrapHead}).
     * @return the event loop's decision object, PASS or REJECT (the connection is over its principal's limit); or null
     *     if the request must come whole to {@link #onRequest}, nothing charged.
     */
    public RequestDecision onRequestHead(final DecodedRequest head)
    {
        final RequestDecision decision = flyweights.decision().reset();
        if (rejectedPrincipal)
        {
            return decision.reject();
        }
        if (identity.onRequest(head) && !becomePrincipal(identity.principal()))
        {
            return decision.reject();
        }
        if (readsRequest(head.apiKey()))
        {
            return null;
        }
        quotas.chargeRequest(head, head.readNanos());
        authorization.authorize(head, decision);
        return decision;
    }

    /**
     * How long reads from the client must stay paused for the throttle its quotas imposed.
     *
     * @param nowNanos the time now.
     * @return nanoseconds, 0 when not throttled.
     */
    public long throttleRemainingNanos(final long nowNanos)
    {
        return quotas.throttleRemainingNanos(nowNanos);
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
        if (amendment != null)
        {
            out = amendment.amend(alloc, out, bodyOffset, apiVersion);
            authorization.onAmended(apiKey, amendment);
        }
        if (identity.onResponse(apiKey, out, bodyOffset) && !becomePrincipal(identity.principal()))
        {
            // A connection over its principal's limit is closed at its next request.
            rejectedPrincipal = true;
        }
        topicIds.onResponse(out, apiKey, apiVersion, bodyOffset);
        quotas.onResponse(out, apiKey, apiVersion, bodyOffset, nowNanos);
        return out;
    }

    /**
     * Whether a stage reads the body of an api's responses (the identity stage a passthrough SaslAuthenticate, topic-id
     * learning a Metadata v10+), so they must come whole to {@link #onResponse} and never stream to the client as they
     * arrive (cut-through). The quota stage needs only a response's head ({@link #onStreamedResponseHead}); a response
     * owed an amendment is known by its request, not its api. A stage that comes to read another response says so here.
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @return true if the response must be assembled whole.
     */
    public boolean readsResponse(final short apiKey, final short apiVersion)
    {
        return identity.readsResponse(apiKey) || TopicIdLearningStage.readsResponse(apiKey, apiVersion);
    }

    /**
     * Applies the policy to the head of a broker response that streams to the client (cut-through): only responses no
     * stage but the quota reads ({@link #readsResponse}), with no amendment owed, stream, so the quota's work (charge
     * the response's length, carry the throttle in a leading throttle_time_ms) is all there is, and it needs only the
     * head.
     *
     * @param head        the response's first bytes, size field first, up to at least the end of a leading
     *                    throttle_time_ms; written in place.
     * @param apiKey      the request's api key.
     * @param apiVersion  the request's version.
     * @param bodyOffset  where the response body starts.
     * @param frameLength the whole response's length, size field included.
     * @param nowNanos    the time now.
     */
    public void onStreamedResponseHead(
        final ByteBuf head, final short apiKey, final short apiVersion, final int bodyOffset, final int frameLength, final long nowNanos)
    {
        quotas.onStreamedResponseHead(head, apiKey, apiVersion, bodyOffset, frameLength, nowNanos);
    }

    /**
     * The principal the connection's rules and quotas follow now.
     *
     * @return the SASL username, else the client.id; null before the first request.
     */
    public String principal()
    {
        return identity.principal();
    }

    private boolean becomePrincipal(final String name)
    {
        authorization.onPrincipal(name);
        if (!quotas.onPrincipal(name, System.nanoTime()))
        {
            rejectedPrincipal = true;
            return false;
        }
        return true;
    }
}
