package io.kafkaproxy.proxy.acl;

/**
 * What an ACL rule protects, as Kafka names it.
 */
public enum AclResourceType
{
    /** A topic, by name. */
    TOPIC("topic"),
    /** A consumer group, by group id. */
    GROUP("group"),
    /** A transactional producer, by transactional id. */
    TRANSACTIONAL_ID("transactionalId"),
    /** The cluster as a whole (idempotent writes, cluster-wide admin operations). */
    CLUSTER("cluster");

    private final String yamlName;

    AclResourceType(final String yamlName)
    {
        this.yamlName = yamlName;
    }

    /**
     * The name the configuration file and the audit log use.
     *
     * @return for example {@code transactionalId}.
     */
    public String yamlName()
    {
        return yamlName;
    }

    /**
     * Looks a type up by its configuration name.
     *
     * @param name the name, as written in the file.
     * @return the type, or null if no type has that name.
     */
    public static AclResourceType fromYamlName(final String name)
    {
        for (final AclResourceType type : values())
        {
            if (type.yamlName.equals(name))
            {
                return type;
            }
        }
        return null;
    }
}
