package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.proxy.config.CidrBlock;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The compiled rules of the {@code routing} section: which cluster a connection accepted by the routing listener goes
 * to, from its certificate principal, the client id of its first request and its source address. The first rule
 * whose every key matches wins; else the default cluster, if any.
 *
 * <p>Immutable; shared by every event loop. Evaluated once per connection, so globs are plain regular expressions.
 */
public final class ClusterRoutes
{
    private final List<Rule> rules;
    private final String defaultCluster;

    private ClusterRoutes(final List<Rule> rules, final String defaultCluster)
    {
        this.rules = rules;
        this.defaultCluster = defaultCluster;
    }

    /**
     * Compiles the routing section.
     *
     * @param routing the section, validated.
     * @return the routes.
     */
    public static ClusterRoutes compile(final RoutingConfig routing)
    {
        final List<Rule> rules = new ArrayList<>(routing.rules().size());
        for (final RoutingRuleConfig rule : routing.rules())
        {
            rules.add(new Rule(rule.cluster(), glob(rule.principal()), glob(rule.clientId()), rule.sourceAddress()));
        }
        return new ClusterRoutes(List.copyOf(rules), routing.defaultCluster());
    }

    /**
     * Chooses the cluster of a connection.
     *
     * @param principal     its SASL principal when the routing listener logs it in, else the principal of its TLS
     *                      client certificate; null when it has none.
     * @param clientId      the client id of its first request, or null.
     * @param sourceAddress its source address.
     * @return the cluster's name, or null when no rule matches and there is no default cluster.
     */
    public String route(final String principal, final String clientId, final InetAddress sourceAddress)
    {
        for (final Rule rule : rules)
        {
            if (rule.matches(principal, clientId, sourceAddress))
            {
                return rule.cluster;
            }
        }
        return defaultCluster;
    }

    /**
     * The clusters a connection can be routed to: every rule's and the default.
     *
     * @return their names, each once, in the rules' order.
     */
    public List<String> clusterNames()
    {
        final Set<String> names = new LinkedHashSet<>();
        for (final Rule rule : rules)
        {
            names.add(rule.cluster);
        }
        if (defaultCluster != null)
        {
            names.add(defaultCluster);
        }
        return List.copyOf(names);
    }

    private static Pattern glob(final String glob)
    {
        if (glob == null)
        {
            return null;
        }
        final StringBuilder regex = new StringBuilder(glob.length() + 8);
        int start = 0;
        for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', start))
        {
            regex.append(Pattern.quote(glob.substring(start, star))).append(".*");
            start = star + 1;
        }
        regex.append(Pattern.quote(glob.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private record Rule(String cluster, Pattern principal, Pattern clientId, CidrBlock sourceAddress)
    {
        boolean matches(final String connectionPrincipal, final String connectionClientId, final InetAddress address)
        {
            return (principal == null || connectionPrincipal != null && principal.matcher(connectionPrincipal).matches()) &&
                (clientId == null || connectionClientId != null && clientId.matcher(connectionClientId).matches()) &&
                (sourceAddress == null || address != null && sourceAddress.contains(address));
        }
    }
}
