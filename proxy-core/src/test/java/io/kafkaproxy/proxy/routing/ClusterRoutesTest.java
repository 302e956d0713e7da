package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterRoutesTest
{
    private static final ListenerConfig LISTENER = ListenerConfig.of(new HostPort("127.0.0.1", 9000), null, null);

    @Test
    void shouldRouteByTheFirstRuleWhoseEveryKeyMatches() throws Exception
    {
        // Given
        final ClusterRoutes routes = ClusterRoutes.compile(new RoutingConfig(LISTENER, List.of(
            RoutingRuleConfig.of("east", "User:CN=tenant-a*", "orders-*", "10.1.0.0/16"),
            RoutingRuleConfig.of("west", "CN=tenant-a*", null, null),
            RoutingRuleConfig.of("north", null, "*-batch", null)), null));
        final InetAddress inside = InetAddress.getByName("10.1.2.3");
        final InetAddress outside = InetAddress.getByName("10.2.2.3");

        // When / Then
        assertThat(routes.route("CN=tenant-a,O=x", "orders-1", inside)).isEqualTo("east");
        assertThat(routes.route("CN=tenant-a,O=x", "orders-1", outside)).isEqualTo("west");
        assertThat(routes.route("CN=tenant-a,O=x", "billing", inside)).isEqualTo("west");
        assertThat(routes.route(null, "nightly-batch", inside)).isEqualTo("north");
        assertThat(routes.route(null, "orders-1", inside)).isNull();
        assertThat(routes.route("CN=tenant-b", null, inside)).isNull();
    }

    @Test
    void shouldSendWhatNoRuleMatchesToTheDefaultCluster() throws Exception
    {
        // Given
        final ClusterRoutes routes = ClusterRoutes.compile(new RoutingConfig(LISTENER,
            List.of(RoutingRuleConfig.of("east", "alice", null, null)), "west"));

        // When / Then
        assertThat(routes.route("alice", null, InetAddress.getLoopbackAddress())).isEqualTo("east");
        assertThat(routes.route("bob", "x", InetAddress.getLoopbackAddress())).isEqualTo("west");
    }

    @Test
    void shouldMatchGlobMetacharactersLiterally()
    {
        // Given
        final ClusterRoutes routes = ClusterRoutes.compile(new RoutingConfig(LISTENER,
            List.of(RoutingRuleConfig.of("east", null, "a.b+(c)", null)), null));

        // When / Then
        assertThat(routes.route(null, "a.b+(c)", InetAddress.getLoopbackAddress())).isEqualTo("east");
        assertThat(routes.route(null, "aXb+(c)", InetAddress.getLoopbackAddress())).isNull();
    }
}
