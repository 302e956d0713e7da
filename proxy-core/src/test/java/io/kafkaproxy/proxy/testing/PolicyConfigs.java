package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.ProxyConfig;

import java.util.function.UnaryOperator;

/**
 * Policy sections (acl, quotas, circuitBreaker) written as YAML, the way an operator writes them, laid over the
 * tests' usual proxy configuration.
 */
public final class PolicyConfigs
{
    private PolicyConfigs()
    {
    }

    /**
     * Reads policy sections.
     *
     * @param yaml the {@code acl}, {@code quotas} and {@code circuitBreaker} sections, any of them.
     * @return a configuration holding them (its other sections are placeholders).
     */
    public static ProxyConfig parse(final String yaml)
    {
        try
        {
            return ConfigParser.parse("upstream:\n  bootstrapServers: [localhost:9092]\n" + yaml, "policy.yaml");
        }
        catch (final ConfigException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Lays policy sections over a configuration.
     *
     * @param yaml the policy sections.
     * @return the adjustment, for {@link ProxiedKafka#inFrontOf}.
     */
    public static UnaryOperator<ProxyConfig> withPolicy(final String yaml)
    {
        final ProxyConfig policy = parse(yaml);
        return config -> withPolicyOf(config, policy);
    }

    /**
     * A configuration with the policy sections of another.
     *
     * @param config the configuration to change.
     * @param policy the configuration whose policy to take.
     * @return the new configuration.
     */
    public static ProxyConfig withPolicyOf(final ProxyConfig config, final ProxyConfig policy)
    {
        return config.toBuilder().acl(policy.acl()).quotas(policy.quotas()).circuitBreaker(policy.circuitBreaker()).build();
    }
}
