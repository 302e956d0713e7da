/**
 * The audit log: a line for every ACL deny, quota throttle and rejected connection. The event loops copy each
 * event into a many-to-one ring without blocking or allocating; the {@code kafka-proxy-audit} thread turns events
 * into rate-limited lines on the {@code kafka-proxy.audit} logger.
 */
package io.kafkaproxy.proxy.audit;
