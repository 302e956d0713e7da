package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.responses.MetadataResponseFlyweight;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.proxy.codec.ByteBufViews;
import io.kafkaproxy.proxy.request.EventLoopFlyweights;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The topic-id learning stage of a connection's policy: reads the topic names and ids of each Metadata response
 * (v10 on) into the proxy's {@link TopicIdNames}, so that requests naming topics by id can be decided and charged.
 *
 * <p>Metadata is rare; the response is read in place with a flyweight, or from one merged copy when the address
 * rewrite spliced it. Confined to the connection's event loop.
 */
final class TopicIdLearningStage
{
    private static final short FIRST_TOPIC_ID_METADATA_VERSION = 10;

    private final TopicIdNames topicIds;
    private final EventLoopFlyweights flyweights = EventLoopFlyweights.current();

    /**
     * Creates the stage.
     *
     * @param topicIds where learnt names go.
     */
    TopicIdLearningStage(final TopicIdNames topicIds)
    {
        this.topicIds = topicIds;
    }

    /**
     * Whether this stage reads the responses of an api at a version.
     *
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @return true for Metadata responses that carry topic ids: they must reach {@link #onResponse} whole.
     */
    static boolean readsResponse(final short apiKey, final short apiVersion)
    {
        return apiKey == ApiKeyIds.METADATA && apiVersion >= FIRST_TOPIC_ID_METADATA_VERSION;
    }

    /**
     * Learns the topic ids of a response, if it is a Metadata response that carries them.
     *
     * @param response   the response, size field first; not released here.
     * @param apiKey     the request's api key.
     * @param apiVersion the request's version.
     * @param bodyOffset where its body starts, from the reader index.
     */
    void onResponse(final ByteBuf response, final short apiKey, final short apiVersion, final int bodyOffset)
    {
        if (!readsResponse(apiKey, apiVersion))
        {
            return;
        }
        final UnsafeBuffer view = flyweights.responseView();
        if (ByteBufViews.isContiguous(response))
        {
            ByteBufViews.wrapReadable(view, response);
        }
        else
        {
            // Spliced by the address rewrite: Metadata is rare, so it is read from one merged copy.
            view.wrap(response.nioBuffer());
        }
        final MetadataResponseFlyweight metadata =
            flyweights.metadataResponse().wrap(view, bodyOffset, response.readableBytes() - bodyOffset, apiVersion);
        while (metadata.nextTopic())
        {
            if (metadata.topicNameLength() > 0)
            {
                topicIds.learn(metadata.topicIdMostSignificantBits(), metadata.topicIdLeastSignificantBits(), view,
                    metadata.topicNameOffset(), metadata.topicNameLength());
            }
        }
    }
}
