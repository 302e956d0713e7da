/**
 * Who may do what: ACL rules from the configuration, compiled into per-connection views that decide each
 * request's resources in place, without allocating.
 */
package io.kafkaproxy.proxy.acl;
