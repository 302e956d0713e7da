package io.kafkaproxy.proxy.config;

/**
 * What a request does to a resource, as Kafka's authorizer names it.
 *
 * <p>{@link #ALL} is for rules only: a rule naming it covers every operation. A request's operation is one of the
 * others.
 */
public enum AclOperation
{
    /** Fetch from a topic, join or commit offsets for a group. */
    READ("read"),
    /** Produce to a topic, use a transactional id. */
    WRITE("write"),
    /** Create a topic (on the topic or on the cluster). */
    CREATE("create"),
    /** Delete a topic or a group. */
    DELETE("delete"),
    /** Change a resource's configuration or partitions. */
    ALTER("alter"),
    /** See a resource in metadata, list or describe it; implied by read, write, delete and alter. */
    DESCRIBE("describe"),
    /** Produce idempotently (InitProducerId without a transactional id), on the cluster. */
    IDEMPOTENT_WRITE("idempotentWrite"),
    /** Read a resource's configuration. */
    DESCRIBE_CONFIGS("describeConfigs"),
    /** Change a resource's configuration. */
    ALTER_CONFIGS("alterConfigs"),
    /** Every operation; in rules only. */
    ALL("all");

    private final String yamlName;

    AclOperation(final String yamlName)
    {
        this.yamlName = yamlName;
    }

    /**
     * The name the configuration file and the audit log use.
     *
     * @return for example {@code idempotentWrite}.
     */
    public String yamlName()
    {
        return yamlName;
    }

    /**
     * Whether a rule allowing this operation also allows another, as Kafka's authorizer implies them: an operation
     * allows itself; {@link #ALL} allows everything; read, write, delete and alter allow describe; alterConfigs
     * allows describeConfigs. Deny rules imply nothing.
     *
     * @param other the operation a request needs.
     * @return whether an allow of this operation covers it.
     */
    public boolean allowImplies(final AclOperation other)
    {
        if (this == other || this == ALL)
        {
            return true;
        }
        switch (other)
        {
            case DESCRIBE:
                return this == READ || this == WRITE || this == DELETE || this == ALTER;
            case DESCRIBE_CONFIGS:
                return this == ALTER_CONFIGS;
            default:
                return false;
        }
    }

    /**
     * Looks an operation up by its configuration name.
     *
     * @param name the name, as written in the file.
     * @return the operation, or null if none has that name.
     */
    public static AclOperation fromYamlName(final String name)
    {
        for (final AclOperation operation : values())
        {
            if (operation.yamlName.equals(name))
            {
                return operation;
            }
        }
        return null;
    }
}
