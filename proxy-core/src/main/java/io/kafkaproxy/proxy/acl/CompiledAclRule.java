package io.kafkaproxy.proxy.acl;

import io.kafkaproxy.proxy.config.AclEffect;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclPatternType;
import io.kafkaproxy.proxy.config.AclResourceType;
import io.kafkaproxy.proxy.config.CidrBlock;
import io.kafkaproxy.proxy.config.AclRuleConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * One rule of the configuration, ready to be matched: its principal split into name and prefix, its resource name
 * encoded as UTF-8 once, its operations as a bit mask with Kafka's implications applied.
 *
 * <p>Immutable; shared by every {@link ClientAcl} built from the same {@link AclAuthorizer}.
 */
final class CompiledAclRule
{
    final AclEffect effect;
    final AclResourceType resourceType;
    /** The name, or the prefix; null when the rule covers every name of its type. */
    final String name;
    /** {@link #name} as UTF-8, for comparing in place with names in request buffers; read-only. */
    final UnsafeBuffer nameBytes;
    final boolean prefix;
    final boolean everyName;
    /** Bit {@code 1 << operation.ordinal()} for each operation the rule decides. */
    final int operationMask;
    private final String principal;
    private final boolean principalPrefix;
    private final CidrBlock[] hosts;

    private CompiledAclRule(final AclRuleConfig rule)
    {
        effect = rule.effect();
        resourceType = rule.resourceType();
        everyName = resourceType == AclResourceType.CLUSTER ||
            (rule.patternType() == AclPatternType.LITERAL && rule.resourceName().equals("*"));
        prefix = rule.patternType() == AclPatternType.PREFIXED;
        name = everyName ? null : rule.resourceName();
        nameBytes = everyName ? null : new UnsafeBuffer(name.getBytes(StandardCharsets.UTF_8));
        operationMask = operationMask(rule);
        principalPrefix = rule.principal().endsWith("*");
        principal = principalPrefix ? rule.principal().substring(0, rule.principal().length() - 1) : rule.principal();
        hosts = rule.hosts().toArray(new CidrBlock[0]);
    }

    /**
     * Compiles a rule.
     *
     * @param rule a rule its section has validated.
     * @return the compiled rule.
     */
    static CompiledAclRule compile(final AclRuleConfig rule)
    {
        return new CompiledAclRule(rule);
    }

    /**
     * The bit of an operation in {@link #operationMask}.
     *
     * @param operation the operation.
     * @return its bit.
     */
    static int bit(final AclOperation operation)
    {
        return 1 << operation.ordinal();
    }

    /**
     * Whether the rule applies to a client at all: its principal matches and its address is in one of the
     * rule's hosts (or the rule names none).
     *
     * @param clientPrincipal the client's principal name.
     * @param clientAddress   the client's address, or null if unknown (then only rules without hosts apply).
     * @return whether the rule applies.
     */
    boolean appliesTo(final String clientPrincipal, final InetAddress clientAddress)
    {
        if (principalPrefix ? !clientPrincipal.startsWith(principal) : !clientPrincipal.equals(principal))
        {
            return false;
        }
        if (hosts.length == 0)
        {
            return true;
        }
        for (final CidrBlock host : hosts)
        {
            if (host.contains(clientAddress))
            {
                return true;
            }
        }
        return false;
    }

    private static int operationMask(final AclRuleConfig rule)
    {
        int mask = 0;
        for (final AclOperation listed : rule.operations())
        {
            for (final AclOperation operation : AclOperation.values())
            {
                // Kafka implies operations for allow rules only: denying read does not deny describe.
                final boolean covered = rule.effect() == AclEffect.ALLOW ?
                    listed.allowImplies(operation) :
                    listed == operation || listed == AclOperation.ALL;
                if (covered)
                {
                    mask |= bit(operation);
                }
            }
        }
        return mask;
    }
}
