package io.kafkaproxy.proxy.config;


import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code acl} section: which operations each client may perform on which topics, groups, transactional ids
 * and on the cluster.
 *
 * <p>A deny rule that matches wins; otherwise an allow rule that matches allows; otherwise the default policy
 * decides. An allow of read, write, delete or alter also allows describe, and an allow of alterConfigs allows
 * describeConfigs; deny rules imply nothing. These are the semantics of Kafka's StandardAuthorizer, except that
 * the default applies per client: with {@code defaultPolicy: allow}, an allow rule changes nothing.
 *
 * @param defaultPolicy what happens when no rule matches: {@code allow} (default, so that a file without this
 *                      section behaves as before) or {@code deny}.
 * @param rules         the rules, in any order (the outcome does not depend on it); default none.
 */
public record AclConfig(AclEffect defaultPolicy, List<AclRuleConfig> rules)
{
    /** Default policy: allow, as a proxy without ACLs does. */
    public static final AclEffect DEFAULT_POLICY = AclEffect.ALLOW;

    private static final String KNOWN_OPERATIONS = Arrays.stream(AclOperation.values())
        .map(AclOperation::yamlName).collect(Collectors.joining(", "));
    private static final String KNOWN_RESOURCE_TYPES = Arrays.stream(AclResourceType.values())
        .map(AclResourceType::yamlName).collect(Collectors.joining(", "));

    /**
     * Validates the section and each rule.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value, {@code acl.rules[i].key}.
     */
    public AclConfig
    {
        if (defaultPolicy == null)
        {
            throw new IllegalArgumentException("acl.defaultPolicy: required: allow or deny");
        }
        if (rules == null)
        {
            throw new IllegalArgumentException("acl.rules: required (may be empty)");
        }
        for (int i = 0; i < rules.size(); i++)
        {
            validate("acl.rules[" + i + "]", rules.get(i));
        }
        rules = List.copyOf(rules);
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param defaultPolicy {@code allow} or {@code deny}, or null.
     * @param rules         the rules as written, or null.
     * @return the section.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    @JsonCreator
    static AclConfig of(@JsonProperty("defaultPolicy") final String defaultPolicy, @JsonProperty("rules") final List<RuleYaml> rules)
    {
        final List<AclRuleConfig> parsed = new ArrayList<>();
        if (rules != null)
        {
            for (int i = 0; i < rules.size(); i++)
            {
                parsed.add(rule("acl.rules[" + i + "]", rules.get(i)));
            }
        }
        return new AclConfig(defaultPolicy == null ? DEFAULT_POLICY : effect("acl.defaultPolicy", defaultPolicy), parsed);
    }

    /**
     * The defaults: allow everything, no rules.
     *
     * @return the section with every default.
     */
    public static AclConfig defaults()
    {
        return new AclConfig(DEFAULT_POLICY, List.of());
    }

    /**
     * A rule as the file spells it, before its names are looked up: strings, so that a bad name is reported with
     * the rule's path rather than as a mapping error.
     */
    record RuleYaml(
        @JsonProperty("effect") String effect,
        @JsonProperty("principal") String principal,
        @JsonProperty("resourceType") String resourceType,
        @JsonProperty("resourceName") String resourceName,
        @JsonProperty("patternType") String patternType,
        @JsonProperty("operations") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> operations,
        @JsonProperty("hosts") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> hosts)
    {
    }

    private static AclRuleConfig rule(final String path, final RuleYaml rule)
    {
        if (rule == null)
        {
            throw new IllegalArgumentException(path + ": empty rule");
        }
        final AclResourceType resourceType = rule.resourceType() == null ? null : resourceType(path + ".resourceType", rule.resourceType());
        return new AclRuleConfig(
            rule.effect() == null ? null : effect(path + ".effect", rule.effect()),
            rule.principal(),
            resourceType,
            rule.resourceName() == null && resourceType == AclResourceType.CLUSTER ? AclResourceType.CLUSTER_NAME : rule.resourceName(),
            rule.patternType() == null ? AclPatternType.LITERAL : patternType(path + ".patternType", rule.patternType()),
            rule.operations() == null ? null : operations(path + ".operations", rule.operations()),
            hosts(path + ".hosts", rule.hosts()));
    }

    private static AclEffect effect(final String path, final String text)
    {
        final AclEffect effect = AclEffect.fromYamlName(text);
        if (effect == null)
        {
            throw new IllegalArgumentException(path + ": expected allow or deny, got '" + text + "'");
        }
        return effect;
    }

    private static AclResourceType resourceType(final String path, final String text)
    {
        final AclResourceType type = AclResourceType.fromYamlName(text);
        if (type == null)
        {
            throw new IllegalArgumentException(path + ": unknown resource type '" + text + "'; known: " + KNOWN_RESOURCE_TYPES);
        }
        return type;
    }

    private static AclPatternType patternType(final String path, final String text)
    {
        final AclPatternType type = AclPatternType.fromYamlName(text);
        if (type == null)
        {
            throw new IllegalArgumentException(path + ": expected literal or prefixed, got '" + text + "'");
        }
        return type;
    }

    private static Set<AclOperation> operations(final String path, final List<String> names)
    {
        final Set<AclOperation> operations = EnumSet.noneOf(AclOperation.class);
        for (final String name : names)
        {
            final AclOperation operation = AclOperation.fromYamlName(name);
            if (operation == null)
            {
                throw new IllegalArgumentException(path + ": unknown operation '" + name + "'; known: " + KNOWN_OPERATIONS);
            }
            operations.add(operation);
        }
        return operations;
    }

    private static List<CidrBlock> hosts(final String path, final List<String> texts)
    {
        if (texts == null)
        {
            return List.of();
        }
        if (texts.isEmpty())
        {
            throw new IllegalArgumentException(path + ": empty; leave the key out to match every address");
        }
        final List<CidrBlock> hosts = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++)
        {
            try
            {
                hosts.add(CidrBlock.parse(texts.get(i)));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException(path + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return hosts;
    }

    private static void validate(final String path, final AclRuleConfig rule)
    {
        if (rule == null)
        {
            throw new IllegalArgumentException(path + ": empty rule");
        }
        if (rule.effect() == null)
        {
            throw new IllegalArgumentException(path + ".effect: required: allow or deny");
        }
        validatePrincipal(path + ".principal", rule.principal());
        final AclResourceType type = rule.resourceType();
        if (type == null)
        {
            throw new IllegalArgumentException(path + ".resourceType: required: one of " + KNOWN_RESOURCE_TYPES);
        }
        if (rule.patternType() == null)
        {
            throw new IllegalArgumentException(path + ".patternType: required: literal or prefixed");
        }
        validateResourceName(path, rule);
        if (rule.operations() == null || rule.operations().isEmpty())
        {
            throw new IllegalArgumentException(path + ".operations: required: at least one of " + KNOWN_OPERATIONS);
        }
        for (final AclOperation operation : EnumSet.copyOf(rule.operations()))
        {
            if (!type.accepts(operation))
            {
                throw new IllegalArgumentException(path + ".operations: '" + operation.yamlName() + "' does not apply to a " +
                    type.yamlName() + "; it takes: " + Arrays.stream(AclOperation.values()).filter(type::accepts)
                    .map(AclOperation::yamlName).collect(Collectors.joining(", ")));
            }
        }
        if (rule.hosts() == null)
        {
            throw new IllegalArgumentException(path + ".hosts: required (empty for any address)");
        }
    }

    private static void validatePrincipal(final String path, final String principal)
    {
        if (principal == null || principal.isEmpty())
        {
            throw new IllegalArgumentException(path + ": required: a name, a prefix ending in '*', or '*' for everyone");
        }
        final int star = principal.indexOf('*');
        if (star >= 0 && star != principal.length() - 1)
        {
            throw new IllegalArgumentException(path + ": '*' may only end the name (a prefix) or stand alone, got '" + principal + "'");
        }
    }

    private static void validateResourceName(final String path, final AclRuleConfig rule)
    {
        final String name = rule.resourceName();
        final AclResourceType type = rule.resourceType();
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException(path + ".resourceName: required: the " + type.yamlName() + "'s name, a prefix with " +
                "patternType prefixed, or '*' for every " + type.yamlName());
        }
        if (type == AclResourceType.CLUSTER)
        {
            if (!name.equals(AclResourceType.CLUSTER_NAME) || rule.patternType() != AclPatternType.LITERAL)
            {
                throw new IllegalArgumentException(path + ".resourceName: the cluster has one name, '" + AclResourceType.CLUSTER_NAME +
                    "' (literal); leave resourceName and patternType out");
            }
        }
        else if (rule.patternType() == AclPatternType.PREFIXED && name.equals("*"))
        {
            throw new IllegalArgumentException(path + ".resourceName: a prefixed '*' matches only names that start with '*'; " +
                "for every " + type.yamlName() + " write '*' with patternType literal");
        }
        else if (type == AclResourceType.TOPIC && rule.patternType() == AclPatternType.LITERAL && !name.equals("*") &&
            name.indexOf('*') >= 0)
        {
            // Topic names cannot hold '*': the rule could never match, and the author surely meant a prefix.
            throw new IllegalArgumentException(path + ".resourceName: no topic is named '" + name + "'; for a prefix write " +
                "resourceName: " + name.replace("*", "") + " with patternType: prefixed");
        }
    }
}
