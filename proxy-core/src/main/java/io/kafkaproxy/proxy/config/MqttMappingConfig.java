package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * One entry of {@code mqtt.mappings}: the MQTT topics a filter matches are published to one Kafka topic, with the
 * record key taken from the client identifier, a topic level, or nothing. The first entry that matches wins; a topic
 * no entry matches follows the default rule (the MQTT topic with {@code /} replaced by {@code .}, key = client id).
 *
 * <p>Messages name {@code mqtt.mappings}; the parser adds the line of the entry.
 *
 * @param filter an MQTT topic filter, {@code +} and {@code #} allowed ({@code devices/+/telemetry}). Required.
 * @param topic  the Kafka topic, a valid Kafka topic name. Required.
 * @param key    {@code clientId} (the default), {@code none}, or {@code level:N} (the N-th topic level, 0-based).
 */
public record MqttMappingConfig(String filter, String topic, String key)
{
    /** Key = the MQTT client identifier. */
    public static final String KEY_CLIENT_ID = "clientId";
    /** No key: the producer's partitioner spreads the records. */
    public static final String KEY_NONE = "none";
    /** Key = a topic level: {@code level:N}, N 0-based. */
    public static final String KEY_LEVEL_PREFIX = "level:";
    private static final int MAX_LEVEL = 1023;

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException naming the key of the first bad value.
     */
    public MqttMappingConfig
    {
        if (filter == null || filter.isEmpty())
        {
            throw new IllegalArgumentException("mqtt.mappings.filter: required");
        }
        if (!isValidTopicFilter(filter))
        {
            throw new IllegalArgumentException("mqtt.mappings.filter: not an MQTT topic filter ('+' and '#' must fill " +
                "their level, '#' only last): " + filter);
        }
        if (topic == null || topic.isEmpty())
        {
            throw new IllegalArgumentException("mqtt.mappings.topic: required");
        }
        try
        {
            Topic.validate(topic);
        }
        catch (final InvalidTopicException e)
        {
            throw new IllegalArgumentException("mqtt.mappings.topic: not a Kafka topic name: " + e.getMessage(), e);
        }
        if (key == null)
        {
            key = KEY_CLIENT_ID;
        }
        if (!KEY_CLIENT_ID.equals(key) && !KEY_NONE.equals(key) && keyLevel(key) < 0)
        {
            throw new IllegalArgumentException("mqtt.mappings.key: expected clientId, none or level:N (N from 0 to " +
                MAX_LEVEL + "): " + key);
        }
    }

    /**
     * Reads an entry.
     *
     * @param filter the MQTT topic filter.
     * @param topic  the Kafka topic.
     * @param key    where the key comes from, or null for the client id.
     * @return the entry.
     */
    @JsonCreator
    public static MqttMappingConfig of(
        @JsonProperty("filter") final String filter,
        @JsonProperty("topic") final String topic,
        @JsonProperty("key") final String key)
    {
        return new MqttMappingConfig(filter, topic, key);
    }

    /**
     * The topic level the key comes from.
     *
     * @return N of {@code level:N}, or -1 when the key is not a level.
     */
    public int keyLevel()
    {
        return keyLevel(key);
    }

    /**
     * Whether a text is a valid MQTT topic filter (MQTT 3.1.1 section 4.7.1, the same in 5.0): not empty, no NUL,
     * {@code +} alone in its level, {@code #} alone in the last level.
     *
     * @param filter the text, or null.
     * @return true when valid.
     */
    public static boolean isValidTopicFilter(final String filter)
    {
        if (filter == null || filter.isEmpty())
        {
            return false;
        }
        final int length = filter.length();
        for (int i = 0; i < length; i++)
        {
            final char c = filter.charAt(i);
            if (c == 0)
            {
                return false;
            }
            if (c == '+' || c == '#')
            {
                final boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
                final boolean levelEnd = i == length - 1 || filter.charAt(i + 1) == '/';
                if (!levelStart || !levelEnd || (c == '#' && i != length - 1))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static int keyLevel(final String key)
    {
        if (key == null || !key.startsWith(KEY_LEVEL_PREFIX) || key.length() == KEY_LEVEL_PREFIX.length() ||
            key.length() > KEY_LEVEL_PREFIX.length() + 4)
        {
            return -1;
        }
        int level = 0;
        for (int i = KEY_LEVEL_PREFIX.length(); i < key.length(); i++)
        {
            final char c = key.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            level = level * 10 + (c - '0');
        }
        return level <= MAX_LEVEL ? level : -1;
    }
}
