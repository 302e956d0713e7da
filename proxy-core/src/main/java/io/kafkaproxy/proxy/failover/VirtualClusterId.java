package io.kafkaproxy.proxy.failover;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The cluster id clients of a virtual cluster see (Metadata v2+, DescribeCluster, the ApiVersions v5 check of
 * KIP-1242): one per virtual cluster and active upstream, derived and never random, so it is the same across
 * restarts of the proxy.
 *
 * <pre>
 *   primary active:  base                base = clusterId configured, else 22 base64url characters of
 *   standby active:  base + "-standby"          SHA-256("kafka-proxy virtual cluster " + name), like a Kafka cluster id
 * </pre>
 *
 * <p>The id changes with the active upstream on purpose: a Kafka 4.4+ client that reconnects after a switch sends the
 * id it knows, is answered {@code REBOOTSTRAP_REQUIRED}, and re-bootstraps onto the new upstream's metadata.
 */
public final class VirtualClusterId
{
    /** What the standby's id adds to the base id. */
    public static final String STANDBY_SUFFIX = "-standby";
    private static final int ID_BYTES = 16;

    private VirtualClusterId()
    {
    }

    /**
     * The id clients see.
     *
     * @param clusterName the virtual cluster's name.
     * @param configured  the configured id, or null to derive it from the name.
     * @param active      the active upstream.
     * @return the id.
     */
    public static String of(final String clusterName, final String configured, final ActiveUpstream active)
    {
        final String base = configured != null ? configured : derived(clusterName);
        return active == ActiveUpstream.PRIMARY ? base : base + STANDBY_SUFFIX;
    }

    private static String derived(final String clusterName)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(("kafka-proxy virtual cluster " + clusterName).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, ID_BYTES));
        }
        catch (final NoSuchAlgorithmException e)
        {
            // Every JVM has SHA-256 (a required MessageDigest algorithm).
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
