package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.config.AclOperation;
import io.kafkaproxy.proxy.config.AclResourceType;

/**
 * Decides one named resource of a request on the rare paths, recording a denial where it is made.
 */
@FunctionalInterface
interface ResourceChecks
{
    /**
     * Whether the client may do an operation on a resource.
     *
     * @param type      the resource type.
     * @param operation the operation.
     * @param name      the resource's name (ignored for the cluster).
     * @return true if allowed; false after counting and auditing the denial.
     */
    boolean allows(AclResourceType type, AclOperation operation, String name);
}
