package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One rule of the {@code routing} section: the cluster a connection goes to when every key given matches it.
 * Messages name paths inside the rule ({@code cluster}); the parser or {@link RoutingConfig} puts the rule's place in
 * front.
 *
 * @param cluster       the name of the cluster the connection goes to (required).
 * @param principal     a glob ({@code *} any run of characters) on the connection's principal: its SASL login when the
 *                      routing listener has {@code sasl}, else its TLS client certificate's, as the routing listener's
 *                      {@code principalMappingRules} map it; a leading {@code User:} is ignored. Null: any.
 * @param clientId      a glob on the {@code client.id} of the connection's first request. Null: any.
 * @param sourceAddress the client addresses, a CIDR block. Null: any.
 */
public record RoutingRuleConfig(String cluster, String principal, String clientId, CidrBlock sourceAddress)
{
    /**
     * Validates the rule.
     *
     * @throws IllegalArgumentException naming the path, inside the rule, of the first bad value.
     */
    public RoutingRuleConfig
    {
        if (cluster == null || cluster.isBlank())
        {
            throw new IllegalArgumentException("cluster: required");
        }
        if (principal == null && clientId == null && sourceAddress == null)
        {
            throw new IllegalArgumentException("cluster: a rule needs at least one of principal, clientId, sourceAddress");
        }
        if (principal != null && principal.startsWith("User:"))
        {
            principal = principal.substring("User:".length());
        }
    }

    /**
     * Reads a rule.
     *
     * @param cluster       the cluster.
     * @param principal     the principal glob, or null.
     * @param clientId      the client id glob, or null.
     * @param sourceAddress the CIDR block, or null.
     * @return the rule.
     */
    @JsonCreator
    public static RoutingRuleConfig of(
        @JsonProperty("cluster") final String cluster,
        @JsonProperty("principal") final String principal,
        @JsonProperty("clientId") final String clientId,
        @JsonProperty("sourceAddress") final String sourceAddress)
    {
        final CidrBlock block;
        try
        {
            block = sourceAddress == null ? null : CidrBlock.parse(sourceAddress);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("sourceAddress: " + e.getMessage(), e);
        }
        return new RoutingRuleConfig(cluster, principal, clientId, block);
    }
}
