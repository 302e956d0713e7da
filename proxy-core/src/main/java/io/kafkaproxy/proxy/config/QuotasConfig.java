package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quotas} section: a list of rules limiting byte and request rates per principal (and topic), and
 * connections per principal and per client address. For each kind of rule (principal, topic, address) the first
 * matching rule in file order applies, whole. A reload applies the rules; the rates start afresh.
 *
 * @param rules the rules, in file order. Default none: nothing is limited.
 */
public record QuotasConfig(List<QuotaRuleConfig> rules)
{
    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the bad value.
     */
    public QuotasConfig
    {
        if (rules == null)
        {
            throw new IllegalArgumentException("quotas: required");
        }
        rules = List.copyOf(rules);
    }

    /**
     * Reads the section: each rule as written, checked with its place in the list.
     *
     * @param rules the rules as written, or null.
     * @return the section.
     * @throws IllegalArgumentException naming the YAML path of the first bad value, {@code quotas[1].maxConnections}.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static QuotasConfig of(final List<Rule> rules)
    {
        final List<QuotaRuleConfig> checked = new ArrayList<>();
        if (rules != null)
        {
            for (int i = 0; i < rules.size(); i++)
            {
                final String path = "quotas[" + i + "]";
                if (rules.get(i) == null)
                {
                    throw new IllegalArgumentException(path + ": empty rule");
                }
                try
                {
                    checked.add(rules.get(i).toConfig());
                }
                catch (final IllegalArgumentException e)
                {
                    throw new IllegalArgumentException(path + "." + e.getMessage(), e);
                }
            }
        }
        return new QuotasConfig(checked);
    }

    /**
     * The defaults.
     *
     * @return the section with no rules.
     */
    public static QuotasConfig defaults()
    {
        return new QuotasConfig(List.of());
    }

    /**
     * One rule as written in the file, before its values are read.
     */
    record Rule(
        @JsonProperty("principal") String principal,
        @JsonProperty("topic") String topic,
        @JsonProperty("address") String address,
        @JsonProperty("produceBytesPerSecond") String produceBytesPerSecond,
        @JsonProperty("fetchBytesPerSecond") String fetchBytesPerSecond,
        @JsonProperty("requestsPerSecond") Long requestsPerSecond,
        @JsonProperty("maxConnections") Integer maxConnections,
        @JsonProperty("connectionsPerSecond") Long connectionsPerSecond)
    {
        QuotaRuleConfig toConfig()
        {
            return new QuotaRuleConfig(
                principal,
                topic,
                address == null ? null : address(address),
                produceBytesPerSecond == null ? 0 : positive("produceBytesPerSecond", bytes("produceBytesPerSecond", produceBytesPerSecond)),
                fetchBytesPerSecond == null ? 0 : positive("fetchBytesPerSecond", bytes("fetchBytesPerSecond", fetchBytesPerSecond)),
                requestsPerSecond == null ? 0 : positive("requestsPerSecond", requestsPerSecond),
                maxConnections == null ? 0 : (int)positive("maxConnections", maxConnections),
                connectionsPerSecond == null ? 0 : positive("connectionsPerSecond", connectionsPerSecond));
        }

        private static CidrBlock address(final String text)
        {
            try
            {
                return CidrBlock.parse(text);
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException("address: " + e.getMessage(), e);
            }
        }

        private static long bytes(final String key, final String text)
        {
            return MemoryConfig.size(key, text);
        }

        private static long positive(final String key, final long value)
        {
            // Absent means unlimited, so an explicit 0 is a mistake rather than a way to say so.
            if (value <= 0)
            {
                throw new IllegalArgumentException(key + ": must be positive: " + value);
            }
            return value;
        }
    }
}
