package io.kafkaproxy.proxy.config;

import java.util.EnumSet;
import java.util.Set;

import static io.kafkaproxy.proxy.config.AclOperation.ALL;
import static io.kafkaproxy.proxy.config.AclOperation.ALTER;
import static io.kafkaproxy.proxy.config.AclOperation.ALTER_CONFIGS;
import static io.kafkaproxy.proxy.config.AclOperation.CREATE;
import static io.kafkaproxy.proxy.config.AclOperation.DELETE;
import static io.kafkaproxy.proxy.config.AclOperation.DESCRIBE;
import static io.kafkaproxy.proxy.config.AclOperation.DESCRIBE_CONFIGS;
import static io.kafkaproxy.proxy.config.AclOperation.IDEMPOTENT_WRITE;
import static io.kafkaproxy.proxy.config.AclOperation.READ;
import static io.kafkaproxy.proxy.config.AclOperation.WRITE;

/**
 * What an ACL rule protects, as Kafka names it, and the operations Kafka defines on each.
 */
public enum AclResourceType
{
    /** A topic, by name. */
    TOPIC("topic", EnumSet.of(READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, ALL)),
    /** A consumer group, by group id. */
    GROUP("group", EnumSet.of(READ, DELETE, DESCRIBE, ALL)),
    /** A transactional producer, by transactional id. */
    TRANSACTIONAL_ID("transactionalId", EnumSet.of(WRITE, DESCRIBE, ALL)),
    /** The cluster as a whole (idempotent writes, cluster-wide admin operations); its one name is {@link #CLUSTER_NAME}. */
    CLUSTER("cluster", EnumSet.of(CREATE, ALTER, DESCRIBE, IDEMPOTENT_WRITE, DESCRIBE_CONFIGS, ALTER_CONFIGS, ALL));

    /** The name of the cluster resource, as Kafka names it; decisions on the cluster ignore the name they are given. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private final String yamlName;
    private final Set<AclOperation> operations;

    AclResourceType(final String yamlName, final EnumSet<AclOperation> operations)
    {
        this.yamlName = yamlName;
        this.operations = Set.copyOf(operations);
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
     * Whether Kafka defines an operation on this type ({@code write} on a group, say, it does not).
     *
     * @param operation the operation.
     * @return whether a rule on this type may name it.
     */
    public boolean accepts(final AclOperation operation)
    {
        return operations.contains(operation);
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
