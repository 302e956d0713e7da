package io.kafkaproxy.proxy.config;

/**
 * How a rule's resource name matches a request's: Kafka's resource pattern type.
 */
public enum AclPatternType
{
    /** The name itself; the name {@code *} matches every resource of the type. */
    LITERAL("literal"),
    /** Every name that starts with the rule's name. */
    PREFIXED("prefixed");

    private final String yamlName;

    AclPatternType(final String yamlName)
    {
        this.yamlName = yamlName;
    }

    /**
     * The name the configuration file uses.
     *
     * @return {@code literal} or {@code prefixed}.
     */
    public String yamlName()
    {
        return yamlName;
    }

    /**
     * Looks a pattern type up by its configuration name.
     *
     * @param name the name, as written in the file.
     * @return the pattern type, or null if none has that name.
     */
    public static AclPatternType fromYamlName(final String name)
    {
        for (final AclPatternType type : values())
        {
            if (type.yamlName.equals(name))
            {
                return type;
            }
        }
        return null;
    }
}
