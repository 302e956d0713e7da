package io.kafkaproxy.proxy.acl;

import io.kafkaproxy.proxy.config.AclEffect;
import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACL as it stands for one connection: only the rules whose principal and hosts match that client, indexed by
 * resource type and operation, so that a decision looks only at the rules that could change it.
 *
 * <p>A decision: a matching deny rule denies; otherwise a matching allow rule allows; otherwise the default policy
 * decides. The decision methods allocate nothing, and compare names held in request buffers in place.
 *
 * <p>Built by {@link AclAuthorizer#forClient} when a connection starts, and again when its principal changes or a
 * reload replaces the authorizer. Immutable: the connection keeps it on its event loop, but it may be shared.
 */
public final class ClientAcl
{
    private static final int OPERATIONS = AclOperation.values().length;
    private static final int SLOTS = AclResourceType.values().length * OPERATIONS;

    private final boolean defaultAllow;
    private final boolean allowsEverything;
    /** Per slot (resource type, operation): whether no name can be denied. */
    private final boolean[] allowsAll;
    /** Per slot: the names deny rules cover, or null if no deny rule decides the slot. */
    private final ResourceNameSet[] denied;
    /** Per slot: the names allow rules cover, or null if none do or the default is allow (they would change nothing). */
    private final ResourceNameSet[] allowed;

    private ClientAcl(final boolean defaultAllow, final List<CompiledAclRule> rules)
    {
        this.defaultAllow = defaultAllow;
        allowsAll = new boolean[SLOTS];
        denied = new ResourceNameSet[SLOTS];
        allowed = new ResourceNameSet[SLOTS];
        // Many slots see the same rules (a rule with several operations, allow rules implying describe): one set each.
        final Map<List<CompiledAclRule>, ResourceNameSet> sets = new HashMap<>();
        boolean anyDeny = false;
        for (final AclResourceType type : AclResourceType.values())
        {
            for (final AclOperation operation : AclOperation.values())
            {
                final int slot = slot(type, operation);
                denied[slot] = nameSet(rules, type, operation, AclEffect.DENY, sets);
                allowed[slot] = defaultAllow ? null : nameSet(rules, type, operation, AclEffect.ALLOW, sets);
                anyDeny |= denied[slot] != null;
                allowsAll[slot] = denied[slot] == null && (defaultAllow || (allowed[slot] != null && allowed[slot].matchesEveryName()));
            }
        }
        allowsEverything = defaultAllow && !anyDeny;
    }

    /**
     * The view for a client to whom the given rules apply.
     *
     * @param defaultAllow whether the default policy is allow.
     * @param rules        the rules whose principal and hosts match the client.
     * @return the view.
     */
    static ClientAcl of(final boolean defaultAllow, final List<CompiledAclRule> rules)
    {
        return new ClientAcl(defaultAllow, rules);
    }

    /**
     * Whether this client may do anything at all: no rule that applies to it denies, and the default is allow. The
     * connection can then skip every check.
     *
     * @return whether nothing is ever denied.
     */
    public boolean allowsEverything()
    {
        return allowsEverything;
    }

    /**
     * Whether no resource of a type can be denied an operation, so that the caller may skip walking the request's
     * names.
     *
     * @param type      the resource type.
     * @param operation the operation.
     * @return whether every name is allowed.
     */
    public boolean allowsAll(final AclResourceType type, final AclOperation operation)
    {
        return allowsAll[slot(type, operation)];
    }

    /**
     * Decides an operation on a resource whose name is held as UTF-8 in a buffer, compared in place. The cluster's
     * name is not looked at.
     *
     * @param type       the resource type.
     * @param operation  the operation the request performs.
     * @param buffer     the buffer holding the name.
     * @param nameOffset where the name's bytes start.
     * @param nameLength how many bytes the name has.
     * @return whether the operation is allowed.
     */
    public boolean isAllowed(
        final AclResourceType type, final AclOperation operation, final DirectBuffer buffer, final int nameOffset, final int nameLength)
    {
        final int slot = slot(type, operation);
        final ResourceNameSet deny = denied[slot];
        final ResourceNameSet allow = allowed[slot];
        // One pass over the name serves the literal lookups of both sets.
        final int hash = (deny != null && deny.hasLiteralNames()) || (allow != null && allow.hasLiteralNames()) ?
            ResourceNameSet.hash(buffer, nameOffset, nameLength) : 0;
        if (deny != null && deny.matches(buffer, nameOffset, nameLength, hash))
        {
            return false;
        }
        if (defaultAllow)
        {
            return true;
        }
        return allow != null && allow.matches(buffer, nameOffset, nameLength, hash);
    }

    /**
     * Decides an operation on a resource whose name the caller holds as a {@code String} (cold paths); the same
     * answer as for the name's UTF-8 bytes. The cluster's name is not looked at.
     *
     * @param type      the resource type.
     * @param operation the operation the request performs.
     * @param name      the resource's name; null is taken as empty.
     * @return whether the operation is allowed.
     */
    public boolean isAllowed(final AclResourceType type, final AclOperation operation, final String name)
    {
        final String resourceName = name == null ? "" : name;
        final int slot = slot(type, operation);
        final ResourceNameSet deny = denied[slot];
        if (deny != null && deny.matches(resourceName))
        {
            return false;
        }
        if (defaultAllow)
        {
            return true;
        }
        final ResourceNameSet allow = allowed[slot];
        return allow != null && allow.matches(resourceName);
    }

    private static int slot(final AclResourceType type, final AclOperation operation)
    {
        return type.ordinal() * OPERATIONS + operation.ordinal();
    }

    private static ResourceNameSet nameSet(
        final List<CompiledAclRule> rules,
        final AclResourceType type,
        final AclOperation operation,
        final AclEffect effect,
        final Map<List<CompiledAclRule>, ResourceNameSet> sets)
    {
        final int bit = CompiledAclRule.bit(operation);
        final List<CompiledAclRule> deciding = new ArrayList<>();
        for (final CompiledAclRule rule : rules)
        {
            if (rule.effect == effect && rule.resourceType == type && (rule.operationMask & bit) != 0)
            {
                deciding.add(rule);
            }
        }
        return deciding.isEmpty() ? null : sets.computeIfAbsent(deciding, ResourceNameSet::of);
    }
}
