package io.kafkaproxy.proxy.config;

/**
 * One rule of the {@code quotas} section. A rule names either a principal (optionally narrowed to topics) or a
 * block of client addresses. A limit of 0 means the rule does not set it.
 *
 * <p>Patterns ({@code principal}, {@code topic}) are an exact name, a prefix ending in {@code *}, or {@code *} alone.
 *
 * @param principal             the principals the rule applies to (the SASL user name, else the client id); null in
 *                              an address rule. Each matching principal gets limits of its own.
 * @param topic                 the topics a principal rule's byte rates apply to; null for all of the principal's
 *                              traffic. Only produceBytesPerSecond may be set with a topic.
 * @param address               the client addresses the rule applies to; null in a principal rule. Only
 *                              {@code maxConnections} and {@code connectionsPerSecond} may be set, per address.
 * @param produceBytesPerSecond the produce rate, bytes per second; 0 for none.
 * @param fetchBytesPerSecond   the fetch rate, bytes per second; 0 for none.
 * @param requestsPerSecond     the request rate; 0 for none.
 * @param maxConnections        the most open connections; 0 for none.
 * @param connectionsPerSecond  the most new connections per second; 0 for none.
 */
public record QuotaRuleConfig(
    String principal,
    String topic,
    CidrBlock address,
    long produceBytesPerSecond,
    long fetchBytesPerSecond,
    long requestsPerSecond,
    int maxConnections,
    long connectionsPerSecond)
{
    /**
     * Validates the rule. Messages start with the key within the rule; {@link QuotasConfig} adds the rule's place.
     *
     * @throws IllegalArgumentException naming the key of the first bad value.
     */
    public QuotaRuleConfig
    {
        if (principal == null && address == null)
        {
            throw new IllegalArgumentException("principal: required, or address");
        }
        if (principal != null && address != null)
        {
            throw new IllegalArgumentException("address: a rule names a principal or an address, not both");
        }
        checkPattern("principal", principal);
        checkPattern("topic", topic);
        checkNotNegative("produceBytesPerSecond", produceBytesPerSecond);
        checkNotNegative("fetchBytesPerSecond", fetchBytesPerSecond);
        checkNotNegative("requestsPerSecond", requestsPerSecond);
        checkNotNegative("maxConnections", maxConnections);
        checkNotNegative("connectionsPerSecond", connectionsPerSecond);
        if (address != null)
        {
            checkUnset("topic", topic != null, "an address rule");
            checkUnset("produceBytesPerSecond", produceBytesPerSecond != 0, "an address rule");
            checkUnset("fetchBytesPerSecond", fetchBytesPerSecond != 0, "an address rule");
            checkUnset("requestsPerSecond", requestsPerSecond != 0, "an address rule");
        }
        if (topic != null)
        {
            // Produce requests name their topics' bytes; a Fetch response would have to be walked to split its bytes by
            // topic, which the proxy does not do.
            checkUnset("fetchBytesPerSecond", fetchBytesPerSecond != 0, "a topic rule (topic rules limit produce bytes)");
            checkUnset("requestsPerSecond", requestsPerSecond != 0, "a topic rule");
            checkUnset("maxConnections", maxConnections != 0, "a topic rule");
            checkUnset("connectionsPerSecond", connectionsPerSecond != 0, "a topic rule");
        }
        if (produceBytesPerSecond == 0 && fetchBytesPerSecond == 0 && requestsPerSecond == 0 && maxConnections == 0 &&
            connectionsPerSecond == 0)
        {
            throw new IllegalArgumentException((principal != null ? "principal" : "address") + ": the rule sets no limit");
        }
    }

    private static void checkPattern(final String key, final String pattern)
    {
        if (pattern == null)
        {
            return;
        }
        if (pattern.isEmpty())
        {
            throw new IllegalArgumentException(key + ": must not be empty");
        }
        final int star = pattern.indexOf('*');
        if (star >= 0 && star != pattern.length() - 1)
        {
            throw new IllegalArgumentException(key + ": '*' may only end a pattern: '" + pattern + "'");
        }
    }

    private static void checkNotNegative(final String key, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(key + ": must be positive: " + value);
        }
    }

    private static void checkUnset(final String key, final boolean set, final String ruleKind)
    {
        if (set)
        {
            throw new IllegalArgumentException(key + ": not allowed in " + ruleKind);
        }
    }

    /**
     * Whether the rule limits a principal's connections or its whole traffic, rather than its traffic to topics.
     *
     * @return true for a principal rule without a topic.
     */
    public boolean isPrincipalRule()
    {
        return principal != null && topic == null;
    }

    /**
     * Whether the rule limits a principal's traffic to some topics.
     *
     * @return true for a principal rule with a topic.
     */
    public boolean isTopicRule()
    {
        return topic != null;
    }

    /**
     * Whether the rule limits connections from client addresses.
     *
     * @return true for an address rule.
     */
    public boolean isAddressRule()
    {
        return address != null;
    }
}
