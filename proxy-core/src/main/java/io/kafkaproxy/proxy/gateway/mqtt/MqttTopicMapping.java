package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.MqttMappingConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The compiled {@code mqtt.mappings}: which Kafka topic and record key an MQTT PUBLISH goes to, and back, which MQTT
 * topic a Kafka topic is delivered as.
 *
 * <p>The rules are tried in order, the first whose filter matches wins; no match falls to the default rule (the MQTT
 * topic with {@code /} replaced by {@code .}, key = client id), whose result may not be a valid Kafka topic name
 * ({@code a b}, {@code a/../b}, longer than 249 characters): {@link Route#topic} returns null then. Immutable.
 */
final class MqttTopicMapping
{
    private static final Route DEFAULT_ROUTE = new Route(null, null, MqttMappingConfig.KEY_CLIENT_ID, -1);

    private final Route[] routes;

    private MqttTopicMapping(final Route[] routes)
    {
        this.routes = routes;
    }

    /**
     * Compiles the rules.
     *
     * @param mappings the validated {@code mqtt.mappings}, in order.
     * @return the mapping.
     */
    static MqttTopicMapping compile(final List<MqttMappingConfig> mappings)
    {
        final Route[] routes = new Route[mappings.size()];
        for (int i = 0; i < routes.length; i++)
        {
            final MqttMappingConfig mapping = mappings.get(i);
            routes[i] = new Route(MqttTopicFilter.of(mapping.filter()), mapping.topic(), mapping.key(), mapping.keyLevel());
        }
        return new MqttTopicMapping(routes);
    }

    /**
     * The rule a PUBLISH topic follows.
     *
     * @param mqttTopic a valid MQTT topic name.
     * @return the first matching rule, or the default rule.
     */
    Route route(final String mqttTopic)
    {
        for (final Route route : routes)
        {
            if (route.filter.matches(mqttTopic))
            {
                return route;
            }
        }
        return DEFAULT_ROUTE;
    }

    /**
     * The MQTT topic a Kafka topic's records are delivered as to subscribers: {@code .} replaced by {@code /}.
     *
     * @param kafkaTopic the Kafka topic.
     * @return the MQTT topic name.
     */
    static String mqttTopic(final String kafkaTopic)
    {
        return kafkaTopic.replace('.', '/');
    }

    /**
     * The Kafka topic the default rule gives an MQTT topic, or a subscription filter without wildcards reads:
     * {@code /} replaced by {@code .}.
     *
     * @param mqttTopic the MQTT topic.
     * @return the Kafka topic, or null when that is not a valid Kafka topic name.
     */
    static String defaultKafkaTopic(final String mqttTopic)
    {
        final String topic = mqttTopic.replace('/', '.');
        try
        {
            Topic.validate(topic);
            return topic;
        }
        catch (final InvalidTopicException e)
        {
            return null;
        }
    }

    /**
     * One rule: where its topics go and where their key comes from. Immutable.
     */
    static final class Route
    {
        private final MqttTopicFilter filter;
        private final String topic;
        private final String key;
        private final int keyLevel;

        private Route(final MqttTopicFilter filter, final String topic, final String key, final int keyLevel)
        {
            this.filter = filter;
            this.topic = topic;
            this.key = key;
            this.keyLevel = keyLevel;
        }

        /**
         * The Kafka topic of a PUBLISH this rule matched.
         *
         * @param mqttTopic the PUBLISH's topic.
         * @return the Kafka topic, or null when the default rule makes no valid Kafka topic name of it.
         */
        String topic(final String mqttTopic)
        {
            return topic != null ? topic : defaultKafkaTopic(mqttTopic);
        }

        /**
         * The record key of a PUBLISH this rule matched.
         *
         * @param mqttTopic the PUBLISH's topic.
         * @param clientId  the client identifier of the session.
         * @return the key's UTF-8 bytes; null for {@code none}, or when the topic has fewer levels than {@code level:N}.
         */
        byte[] key(final String mqttTopic, final String clientId)
        {
            if (keyLevel >= 0)
            {
                return level(mqttTopic, keyLevel);
            }
            if (MqttMappingConfig.KEY_NONE.equals(key))
            {
                return null;
            }
            return clientId.getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] level(final String mqttTopic, final int level)
        {
            int start = 0;
            for (int i = 0; i < level; i++)
            {
                final int separator = mqttTopic.indexOf('/', start);
                if (separator < 0)
                {
                    return null;
                }
                start = separator + 1;
            }
            final int end = mqttTopic.indexOf('/', start);
            return mqttTopic.substring(start, end < 0 ? mqttTopic.length() : end).getBytes(StandardCharsets.UTF_8);
        }
    }
}
