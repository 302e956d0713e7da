package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The {@code routing} section: one client-facing bootstrap address for several clusters, each connection sent to the
 * cluster chosen by the first rule that matches it, at its first request. Changing it takes a restart.
 *
 * @param listener       the routing listener: a bootstrap address only (its node addresses are the chosen
 *                       cluster's); no {@code sni}. Without {@code sasl}, SASL passes through, or is terminated as the
 *                       chosen cluster's first listener terminates it, after routing. With {@code sasl} (the section
 *                       of a cluster listener, its own credentials), the routing listener logs the client in before
 *                       routing and rules' {@code principal} match the SASL principal; every cluster the rules reach
 *                       must then terminate SASL on its first listener (a routed client's next connections log in
 *                       there). Named {@value #DEFAULT_LISTENER_NAME} unless named. Required.
 * @param rules          the rules, first match wins; none: every connection goes to {@code defaultCluster}.
 * @param defaultCluster the cluster of a connection no rule matches; null: such a connection is closed.
 */
public record RoutingConfig(ListenerConfig listener, List<RoutingRuleConfig> rules, String defaultCluster)
{
    /** The routing listener's name unless it has one. */
    public static final String DEFAULT_LISTENER_NAME = "routing";

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public RoutingConfig
    {
        if (listener == null)
        {
            throw new IllegalArgumentException("routing.listener: required");
        }
        if (listener.name() == null || listener.name().equals(ListenerConfig.DEFAULT_NAME))
        {
            listener = listener.withName(DEFAULT_LISTENER_NAME);
        }
        if (listener.tls() != null && listener.tls().sni() != null)
        {
            throw new IllegalArgumentException("routing.listener.tls.sni: a routing listener is a bootstrap address; " +
                "SNI routing is a cluster listener's");
        }
        rules = rules == null ? List.of() : List.copyOf(rules);
        if (rules.isEmpty() && defaultCluster == null)
        {
            throw new IllegalArgumentException("routing.rules: at least one rule, or a defaultCluster");
        }
    }

    /**
     * Reads the section.
     *
     * @param listener       the listener.
     * @param rules          the rules, or null.
     * @param defaultCluster the default cluster, or null.
     * @return the section.
     */
    @JsonCreator
    public static RoutingConfig of(
        @JsonProperty("listener") final ListenerConfig listener,
        @JsonProperty("rules") final List<RoutingRuleConfig> rules,
        @JsonProperty("defaultCluster") final String defaultCluster)
    {
        return new RoutingConfig(listener, rules, defaultCluster);
    }
}
