package io.kafkaproxy.proxy.config;


import java.util.List;
import java.util.Set;

/**
 * One rule of the {@code acl} section: who may (or may not) do what to which resources, from where.
 *
 * <p>A rule is checked by the {@link AclConfig} holding it, which knows its place in the list and so names the
 * YAML path of a bad value ({@code acl.rules[2].operations}); this record only copies its collections.
 *
 * @param effect       {@code allow} or {@code deny}. Required.
 * @param principal    whom the rule applies to: an exact name, a prefix ending in {@code *} ({@code svc-*}), or
 *                     {@code *} for everyone. Required.
 * @param resourceType {@code topic}, {@code group}, {@code transactionalId} or {@code cluster}. Required.
 * @param resourceName the resource's name, or with {@code prefixed} the start of it; the literal {@code *} is every
 *                     resource of the type. Required, except for the cluster, whose one name
 *                     ({@value AclResourceType#CLUSTER_NAME}) is the default.
 * @param patternType  {@code literal} (default) or {@code prefixed}.
 * @param operations   the operations covered, at least one; {@code all} covers every one.
 * @param hosts        client addresses or CIDR blocks the rule is limited to; empty (default) for any address.
 */
public record AclRuleConfig(
    AclEffect effect,
    String principal,
    AclResourceType resourceType,
    String resourceName,
    AclPatternType patternType,
    Set<AclOperation> operations,
    List<CidrBlock> hosts)
{
    /**
     * Copies the collections; checking is left to the section (see the class comment).
     *
     * @throws NullPointerException if a collection holds null.
     */
    public AclRuleConfig
    {
        operations = operations == null ? null : Set.copyOf(operations);
        hosts = hosts == null ? null : List.copyOf(hosts);
    }
}
