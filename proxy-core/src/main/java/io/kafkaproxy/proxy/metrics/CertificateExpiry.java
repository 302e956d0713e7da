package io.kafkaproxy.proxy.metrics;

/**
 * One loaded certificate, as its expiry metric names it.
 *
 * @param certificate           its subject's distinguished name (RFC 2253).
 * @param serial                its serial number, hexadecimal.
 * @param expiryEpochSeconds    the end of its validity, seconds since the epoch.
 */
public record CertificateExpiry(String certificate, String serial, long expiryEpochSeconds)
{
}
