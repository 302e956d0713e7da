package io.kafkaproxy.proxy.gateway.stream;

/**
 * Why a subscription ended other than by its own {@link FeedSubscription#cancel()}.
 */
public enum FeedCloseReason
{
    /** More than {@code gateway.subscriptions.subscriberBufferBytes} waited for the subscriber. */
    SLOW("slow"),
    /** The topic does not exist (refused before the start). */
    UNKNOWN_TOPIC("unknown_topic"),
    /** {@code gateway.subscriptions.maxSubscribers} subscriptions are open already (refused before the start). */
    MAX_SUBSCRIBERS("max_subscribers"),
    /** The feed failed to read the topic (a Kafka error it cannot recover from). */
    FAILED("failed"),
    /**
     * The cluster switched upstream (failover or failback): the subscription's positions are offsets of the upstream
     * left, which the proxy does not translate; the subscriber starts again on the now-active upstream.
     */
    UPSTREAM_SWITCHED("upstream_switched"),
    /** The proxy stops. */
    SHUTDOWN("shutdown");

    private final String label;

    FeedCloseReason(final String label)
    {
        this.label = label;
    }

    /**
     * The reason as a metric label and log value.
     *
     * @return the label, such as {@code slow}.
     */
    public String label()
    {
        return label;
    }
}
