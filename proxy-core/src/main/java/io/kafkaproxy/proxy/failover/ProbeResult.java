package io.kafkaproxy.proxy.failover;

/**
 * How one health probe of an upstream ended.
 *
 * @param ok            whether the upstream answered the Metadata request within the probe timeout.
 * @param latencyMillis from the start of the connect to the Metadata answer (or the failure).
 * @param error         why the probe failed; null when it succeeded.
 * @param timeMillis    when the probe ended, milliseconds since the epoch.
 */
public record ProbeResult(boolean ok, long latencyMillis, String error, long timeMillis)
{
}
