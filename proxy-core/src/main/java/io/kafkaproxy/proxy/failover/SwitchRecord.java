package io.kafkaproxy.proxy.failover;

/**
 * A switch of a virtual cluster from one upstream to the other.
 *
 * @param timeMillis when it was published, milliseconds since the epoch.
 * @param from       the upstream left, {@code primary} or {@code standby}.
 * @param to         the upstream reached.
 * @param trigger    {@code automatic} or {@code manual}.
 * @param reason     why, in words.
 * @param generation the generation it started.
 */
public record SwitchRecord(long timeMillis, String from, String to, String trigger, String reason, long generation)
{
}
