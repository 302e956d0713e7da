package io.kafkaproxy.proxy.ratelimit;

import io.kafkaproxy.proxy.config.QuotaRuleConfig;
import io.kafkaproxy.proxy.config.QuotasConfig;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The quotas section compiled for lookups: which rules apply to a principal, and the rate buckets each principal
 * shares across all its connections.
 *
 * <p>A principal's {@link ClientQuotas} (and the buckets in it) are created the first time the principal is seen
 * and kept for the life of the book; later connections of the principal get the same instance, without
 * allocating. A principal no rule matches gets {@link ClientQuotas} that limit nothing, and is not kept.
 *
 * <p>Immutable apart from that cache, which is a {@link ConcurrentHashMap}: every event loop resolves principals
 * through it, once per connection. A reload builds a new book; connections keep the quotas they resolved until
 * they resolve again, and the rates of the new book start afresh.
 */
public final class QuotaBook
{
    private final QuotasConfig config;
    private final List<QuotaRuleConfig> principalRules = new ArrayList<>();
    private final List<NamePattern> principalPatterns = new ArrayList<>();
    private final List<QuotaRuleConfig> topicRules = new ArrayList<>();
    private final List<NamePattern> topicPrincipalPatterns = new ArrayList<>();
    private final List<NamePattern> topicPatterns = new ArrayList<>();
    private final List<QuotaRuleConfig> addressRules = new ArrayList<>();
    private final ConcurrentHashMap<String, ClientQuotas> clients = new ConcurrentHashMap<>();
    // Held once, so that resolving an unseen principal does not allocate a lambda on top of its buckets.
    private final Function<String, ClientQuotas> resolver = this::resolve;

    /**
     * Compiles the rules.
     *
     * @param config the quotas section.
     */
    public QuotaBook(final QuotasConfig config)
    {
        this.config = config;
        for (final QuotaRuleConfig rule : config.rules())
        {
            if (rule.isPrincipalRule())
            {
                principalRules.add(rule);
                principalPatterns.add(NamePattern.of(rule.principal()));
            }
            else if (rule.isTopicRule())
            {
                topicRules.add(rule);
                topicPrincipalPatterns.add(NamePattern.of(rule.principal()));
                topicPatterns.add(NamePattern.of(rule.topic()));
            }
            else
            {
                addressRules.add(rule);
            }
        }
    }

    /**
     * The quotas of a client, shared by every connection of its principal.
     *
     * @param principal the SASL user name, else the client id; null or empty when the client has neither.
     * @return the quotas; ones that limit nothing when no rule matches.
     */
    public ClientQuotas forClient(final String principal)
    {
        final String key = principal == null ? "" : principal;
        final ClientQuotas known = clients.get(key);
        if (known != null)
        {
            return known;
        }
        return applies(key) ? clients.computeIfAbsent(key, resolver) : ClientQuotas.NONE;
    }

    private boolean applies(final String principal)
    {
        final int principalRule = firstMatch(principalPatterns, principal);
        final QuotaRuleConfig rule = principalRule < 0 ? null : principalRules.get(principalRule);
        final boolean hasRates = rule != null &&
            (rule.produceBytesPerSecond() != 0 || rule.fetchBytesPerSecond() != 0 || rule.requestsPerSecond() != 0);
        return hasRates || firstMatch(topicPrincipalPatterns, principal) >= 0;
    }

    private ClientQuotas resolve(final String principal)
    {
        final int principalRule = firstMatch(principalPatterns, principal);
        final QuotaRuleConfig rule = principalRule < 0 ? null : principalRules.get(principalRule);
        final List<NamePattern> patterns = new ArrayList<>();
        final List<RateBucket> produce = new ArrayList<>();
        // Only the topic rules of this principal, in file order: the first whose topic matches is then the first
        // matching rule of the whole list.
        for (int i = 0; i < topicRules.size(); i++)
        {
            if (topicPrincipalPatterns.get(i).matches(principal))
            {
                patterns.add(topicPatterns.get(i));
                produce.add(bucket(topicRules.get(i).produceBytesPerSecond()));
            }
        }
        return new ClientQuotas(
            rule == null ? null : bucket(rule.produceBytesPerSecond()),
            rule == null ? null : bucket(rule.fetchBytesPerSecond()),
            rule == null ? null : bucket(rule.requestsPerSecond()),
            patterns.toArray(new NamePattern[0]),
            produce.toArray(new RateBucket[0]));
    }

    private static RateBucket bucket(final long ratePerSecond)
    {
        return ratePerSecond == 0 ? null : new RateBucket(ratePerSecond);
    }

    private static int firstMatch(final List<NamePattern> patterns, final String name)
    {
        for (int i = 0; i < patterns.size(); i++)
        {
            if (patterns.get(i).matches(name))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first principal rule (without a topic) that matches a principal: the one whose byte and request rates,
     * and connection limits, the principal gets.
     *
     * @param principal the principal; null counts as empty.
     * @return the rule, or null if none matches.
     */
    QuotaRuleConfig principalRule(final String principal)
    {
        final int index = firstMatch(principalPatterns, principal == null ? "" : principal);
        return index < 0 ? null : principalRules.get(index);
    }

    /**
     * The first address rule whose block holds an address.
     *
     * @param address the client's address.
     * @return the rule, or null if none matches.
     */
    QuotaRuleConfig addressRule(final InetAddress address)
    {
        for (final QuotaRuleConfig rule : addressRules)
        {
            if (rule.address().contains(address))
            {
                return rule;
            }
        }
        return null;
    }

    /**
     * The section the book was compiled from.
     *
     * @return the quotas section.
     */
    public QuotasConfig config()
    {
        return config;
    }
}
