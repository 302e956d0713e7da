/**
 * Who may do what: ACL rules from the configuration, compiled into per-connection views that decide each
 * request's resources in place, without allocating.
 *
 * <p>{@link io.kafkaproxy.proxy.acl.AclAuthorizer} compiles the {@code acl} section (off the event loops, at start
 * and at each reload); {@link io.kafkaproxy.proxy.acl.AclAuthorizer#forClient} keeps the rules whose principal
 * and hosts match one connection, as a {@link io.kafkaproxy.proxy.acl.ClientAcl} indexed by resource type and
 * operation. A matching deny rule wins, then a matching allow rule, then the default policy, as in Kafka's
 * StandardAuthorizer.
 */
package io.kafkaproxy.proxy.acl;
