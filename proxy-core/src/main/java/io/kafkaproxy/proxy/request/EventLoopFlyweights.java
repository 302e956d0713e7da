package io.kafkaproxy.proxy.request;

import io.kafkaproxy.protocol.responses.FetchTaggedFieldsRewriter;
import io.kafkaproxy.protocol.responses.MetadataResponseFlyweight;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.sasl.SaslHandshakeRequestFlyweight;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.netty.util.concurrent.FastThreadLocal;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The flyweights, rewriters, scratch buffers and per-request objects that the connections of one event loop and their
 * policies share: the one such cache of an event loop.
 *
 * <p>Every use is synchronous inside one callback, so connections on the same loop can take turns with one set
 * instead of each carrying its own; that keeps an idle connection small. Confined to its event loop.
 */
public final class EventLoopFlyweights
{
    private static final FastThreadLocal<EventLoopFlyweights> CURRENT = new FastThreadLocal<>()
    {
        @Override
        protected EventLoopFlyweights initialValue()
        {
            return new EventLoopFlyweights();
        }
    };

    private final DecodedRequest request = new DecodedRequest();
    private final RequestDecision decision = new RequestDecision();
    private final UnsafeBuffer responseView = new UnsafeBuffer(0, 0);
    private final ResponseHeaderFlyweight responseHeader = new ResponseHeaderFlyweight();
    private final ResponseRewriters rewriters = new ResponseRewriters();
    private final ResponseSplice splice = new ResponseSplice();
    private final FetchTaggedFieldsRewriter fetchTaggedFields = new FetchTaggedFieldsRewriter();
    private final MetadataResponseFlyweight metadataResponse = new MetadataResponseFlyweight();
    private final SaslHandshakeRequestFlyweight saslHandshake = new SaslHandshakeRequestFlyweight();
    private final SaslAuthenticateRequestFlyweight saslAuthenticate = new SaslAuthenticateRequestFlyweight();
    private final ThrottleTimeLocator throttleTimeLocator = new ThrottleTimeLocator();

    private EventLoopFlyweights()
    {
    }

    /**
     * The set of the calling event loop.
     *
     * @return the calling thread's instance.
     */
    public static EventLoopFlyweights current()
    {
        return CURRENT.get();
    }

    /**
     * The request being decided.
     *
     * @return the loop's decoded request.
     */
    public DecodedRequest request()
    {
        return request;
    }

    /**
     * The decision on the request being decided.
     *
     * @return the loop's decision.
     */
    public RequestDecision decision()
    {
        return decision;
    }

    /**
     * A view over the response being read.
     *
     * @return the loop's response view.
     */
    public UnsafeBuffer responseView()
    {
        return responseView;
    }

    /**
     * The header of the response being read.
     *
     * @return the loop's response header flyweight.
     */
    public ResponseHeaderFlyweight responseHeader()
    {
        return responseHeader;
    }

    /**
     * The rewriters of responses that carry broker addresses.
     *
     * @return the loop's rewriters.
     */
    public ResponseRewriters rewriters()
    {
        return rewriters;
    }

    /**
     * The rewriter of a streamed Fetch response's trailing tagged fields.
     *
     * @return the loop's rewriter.
     */
    public FetchTaggedFieldsRewriter fetchTaggedFields()
    {
        return fetchTaggedFields;
    }

    /**
     * Where a rewriter describes the part of a response it replaced.
     *
     * @return the loop's splice.
     */
    public ResponseSplice splice()
    {
        return splice;
    }

    /**
     * A Metadata response body, for learning topic ids.
     *
     * @return the loop's Metadata response flyweight.
     */
    public MetadataResponseFlyweight metadataResponse()
    {
        return metadataResponse;
    }

    /**
     * A SaslHandshake request body, for reading the mechanism of a passthrough login.
     *
     * @return the loop's SaslHandshake request flyweight.
     */
    public SaslHandshakeRequestFlyweight saslHandshake()
    {
        return saslHandshake;
    }

    /**
     * A SaslAuthenticate request body, for reading the username of a passthrough login.
     *
     * @return the loop's SaslAuthenticate request flyweight.
     */
    public SaslAuthenticateRequestFlyweight saslAuthenticate()
    {
        return saslAuthenticate;
    }

    /**
     * Finds {@code throttle_time_ms} in a response, for carrying a quota's throttle to the client.
     *
     * @return the loop's throttle-time locator.
     */
    public ThrottleTimeLocator throttleTimeLocator()
    {
        return throttleTimeLocator;
    }
}
