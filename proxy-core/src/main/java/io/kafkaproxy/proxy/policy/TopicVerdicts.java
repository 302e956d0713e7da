package io.kafkaproxy.proxy.policy;

import org.apache.kafka.common.Uuid;

/**
 * Decides one topic of a request on the rare paths, where the topic is already a {@code String} or {@link Uuid}.
 */
@FunctionalInterface
interface TopicVerdicts
{
    /**
     * The error a topic gets, or none.
     *
     * @param name the topic's name, or null when the request names it by id.
     * @param id   the topic's id, or {@link Uuid#ZERO_UUID} when the request names it by name.
     * @return 0 when allowed, else the Kafka error code: TOPIC_AUTHORIZATION_FAILED, or UNKNOWN_TOPIC_ID for an id
     *         the proxy cannot name yet.
     */
    short errorFor(String name, Uuid id);
}
