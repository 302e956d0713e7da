package io.kafkaproxy.proxy.config;

/**
 * What a matching rule, or the default policy when none matches, does to a request: Kafka's permission type.
 */
public enum AclEffect
{
    /** The operation may go ahead. */
    ALLOW("allow"),
    /** The operation is refused; a matching deny rule wins over every allow rule. */
    DENY("deny");

    private final String yamlName;

    AclEffect(final String yamlName)
    {
        this.yamlName = yamlName;
    }

    /**
     * The name the configuration file uses.
     *
     * @return {@code allow} or {@code deny}.
     */
    public String yamlName()
    {
        return yamlName;
    }

    /**
     * Looks an effect up by its configuration name.
     *
     * @param name the name, as written in the file.
     * @return the effect, or null if none has that name.
     */
    public static AclEffect fromYamlName(final String name)
    {
        for (final AclEffect effect : values())
        {
            if (effect.yamlName.equals(name))
            {
                return effect;
            }
        }
        return null;
    }
}
