package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.MqttMappingConfig;

/**
 * An MQTT topic filter ({@code devices/+/telemetry}, {@code sensors/#}), checked once and matched against topic names
 * without allocating.
 *
 * <p>The rules of MQTT 3.1.1 section 4.7 (the same in 5.0): {@code +} matches exactly one level and fills its level,
 * {@code #} matches any number of levels (zero included, so {@code a/#} matches {@code a}) and is last; a filter
 * starting with a wildcard does not match topic names starting with {@code $}. Immutable.
 */
final class MqttTopicFilter
{
    private static final char SEPARATOR = '/';
    private static final char SINGLE_LEVEL = '+';
    private static final char MULTI_LEVEL = '#';

    private final String filter;

    private MqttTopicFilter(final String filter)
    {
        this.filter = filter;
    }

    /**
     * Checks and compiles a filter.
     *
     * @param filter the filter text.
     * @return the filter.
     * @throws IllegalArgumentException if the filter is empty or a wildcard does not fill its level.
     */
    static MqttTopicFilter of(final String filter)
    {
        if (!isValidFilter(filter))
        {
            throw new IllegalArgumentException("invalid MQTT topic filter: filter=" + filter);
        }
        return new MqttTopicFilter(filter);
    }

    /**
     * Whether a text is a valid topic filter.
     *
     * @param filter the text, or null.
     * @return true when valid.
     * @see MqttMappingConfig#isValidTopicFilter
     */
    static boolean isValidFilter(final String filter)
    {
        return MqttMappingConfig.isValidTopicFilter(filter);
    }

    /**
     * Whether a text is a valid topic name, as a PUBLISH carries it: not empty, no wildcard, no NUL.
     *
     * @param topic the text, or null.
     * @return true when valid.
     */
    static boolean isValidTopicName(final String topic)
    {
        if (topic == null || topic.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < topic.length(); i++)
        {
            final char c = topic.charAt(i);
            if (c == SINGLE_LEVEL || c == MULTI_LEVEL || c == 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a topic name matches this filter.
     *
     * @param topic a valid topic name.
     * @return true on a match.
     */
    boolean matches(final String topic)
    {
        final int filterLength = filter.length();
        final int topicLength = topic.length();
        if (topicLength > 0 && topic.charAt(0) == '$' && filterLength > 0 &&
            (filter.charAt(0) == SINGLE_LEVEL || filter.charAt(0) == MULTI_LEVEL))
        {
            return false;
        }
        int f = 0;
        int t = 0;
        while (f < filterLength)
        {
            final char c = filter.charAt(f);
            if (c == MULTI_LEVEL)
            {
                return true;
            }
            if (c == SINGLE_LEVEL)
            {
                while (t < topicLength && topic.charAt(t) != SEPARATOR)
                {
                    t++;
                }
                f++;
                continue;
            }
            if (t >= topicLength)
            {
                // "a/#" matches "a": the topic ends right where the filter's "/#" starts.
                return c == SEPARATOR && f + 2 == filterLength && filter.charAt(f + 1) == MULTI_LEVEL && t == topicLength;
            }
            if (c != topic.charAt(t))
            {
                return false;
            }
            f++;
            t++;
        }
        return t == topicLength;
    }

    @Override
    public String toString()
    {
        return filter;
    }
}
