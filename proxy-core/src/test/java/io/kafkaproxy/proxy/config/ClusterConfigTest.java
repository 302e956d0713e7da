package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigTest
{
    private static final String TWO_CLUSTERS = """
        clusters:
          - name: east
            upstream: {bootstrapServers: [east:9092]}
            listener: {bindAddress: 127.0.0.1:9092, nodePorts: {first: 9093, count: 10}}
            acl: {defaultPolicy: deny}
          - name: west
            clusterId: west-id
            upstream: {bootstrapServers: [west:9092]}
            listener: {name: w, bindAddress: 127.0.0.1:9192, nodePorts: {first: 9193, count: 10}}
            listeners:
              - {name: w2, bindAddress: 127.0.0.1:9292, nodePorts: {first: 9293, count: 10}}
        """;

    private static final String ROUTING = """
        routing:
          listener: {bindAddress: 127.0.0.1:9500}
          rules:
            - cluster: east
              principal: "User:CN=tenant-a*"
            - cluster: west
              sourceAddress: 10.1.0.0/16
        """;

    private static final String SASL = "sasl: {mechanisms: [PLAIN], plainUsersFile: users.yaml}";

    @Test
    void shouldReadTheClustersSection() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(TWO_CLUSTERS, "t.yaml");

        // Then
        assertThat(config.clusters()).extracting(ClusterConfig::name).containsExactly("east", "west");
        assertThat(config.singleClusterForm()).isFalse();
        assertThat(config.clusters().get(0).listener().name()).isEqualTo("east");
        assertThat(config.clusters().get(0).acl().defaultPolicy()).isEqualTo(AclEffect.DENY);
        assertThat(config.clusters().get(1).clusterId()).isEqualTo("west-id");
        assertThat(config.clusters().get(1).allListeners()).extracting(ListenerConfig::name).containsExactly("w", "w2");
        assertThat(config.clusterPath(1)).isEqualTo("clusters[1].");
        assertThat(config.upstream()).isEqualTo(config.clusters().get(0).upstream());
        assertThat(config.listener()).isEqualTo(config.clusters().get(0).listener());
        assertThat(config.acl()).isEqualTo(config.clusters().get(0).acl());
        assertThat(config.gatewayCluster().name()).isEqualTo("east");
    }

    @Test
    void shouldReadTheTopLevelSectionsAsOneClusterNamedDefault() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse("upstream: {bootstrapServers: [b:9092]}\nlistener: {bindAddress: h:9092}\n", "t.yaml");

        // Then
        assertThat(config.clusters()).hasSize(1);
        assertThat(config.clusters().get(0).name()).isEqualTo(ClusterConfig.DEFAULT_NAME);
        assertThat(config.clusters().get(0).listener().name()).isEqualTo(ListenerConfig.DEFAULT_NAME);
        assertThat(config.singleClusterForm()).isTrue();
        assertThat(config.clusterPath(0)).isEmpty();
    }

    @Test
    void shouldParseTheExampleConfiguration() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(Path.of("..", "conf", "clusters-example.yaml"));

        // Then
        assertThat(config.clusters()).extracting(ClusterConfig::name).containsExactly("east", "west");
        assertThat(config.gateway().cluster()).isEqualTo("east");
    }

    @Test
    void shouldWriteAndReadBackTheClusters() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(TWO_CLUSTERS, "t.yaml");

        // When
        final ProxyConfig readBack = ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml");

        // Then
        assertThat(readBack).isEqualTo(config);
    }

    @Test
    void shouldReplaceTheFirstClustersSectionsThroughTheTopLevelSetters() throws ConfigException
    {
        // Given
        final ProxyConfig config = ConfigParser.parse(TWO_CLUSTERS, "t.yaml");

        // When
        final ProxyConfig changed = config.toBuilder().acl(AclConfig.defaults()).build();

        // Then
        assertThat(changed.clusters().get(0).acl()).isEqualTo(AclConfig.defaults());
        assertThat(changed.clusters().get(1)).isEqualTo(config.clusters().get(1));
    }

    @Test
    void shouldRefuseBothClustersAndTopLevelUpstream()
    {
        assertRefused(TWO_CLUSTERS + "upstream: {bootstrapServers: [b:9092]}\n", "clusters: a file has either clusters or");
    }

    @Test
    void shouldRefuseAnEmptyClustersList()
    {
        assertRefused("clusters: []\n", "clusters: at least one cluster");
    }

    @Test
    void shouldRefuseADuplicatedClusterName()
    {
        assertRefused(TWO_CLUSTERS.replace("name: west", "name: east"), "clusters[1].name: another cluster has the name east");
    }

    @Test
    void shouldRefuseAClusterWithoutName()
    {
        assertRefused(TWO_CLUSTERS.replace("  - name: west\n", "  - clusterId: x\n").replace("    clusterId: west-id\n", ""),
            "clusters[1].name: required");
    }

    @Test
    void shouldRefuseABadClusterName()
    {
        assertRefused(TWO_CLUSTERS.replace("name: west", "name: West_1"), "clusters[1].name: lower-case letters");
    }

    @Test
    void shouldRefuseAClusterWithoutUpstream()
    {
        assertRefused(TWO_CLUSTERS.replace("    upstream: {bootstrapServers: [west:9092]}\n", ""),
            "clusters[1].upstream.bootstrapServers: required");
    }

    @Test
    void shouldNameTheClusterOfABadListenerValue()
    {
        assertRefused(TWO_CLUSTERS.replace("bindAddress: 127.0.0.1:9192", "bindAddress: 127.0.0.1:99999"),
            "clusters[1].listener.bindAddress: ");
    }

    @Test
    void shouldRefuseTheSameBootstrapPortInTwoClusters()
    {
        assertRefused(TWO_CLUSTERS.replace("bindAddress: 127.0.0.1:9192", "bindAddress: 127.0.0.1:9092"),
            "clusters[1].listener.bindAddress: port 9092 is the bootstrap port of clusters[0].listener");
    }

    @Test
    void shouldRefuseABootstrapPortInAnotherClustersNodePorts()
    {
        assertRefused(TWO_CLUSTERS.replace("bindAddress: 127.0.0.1:9292", "bindAddress: 127.0.0.1:9095"),
            "clusters[1].listeners[0].bindAddress: port 9095 is in the node ports of clusters[0].listener: 9093-9102");
    }

    @Test
    void shouldRefuseOverlappingNodePortsAcrossClusters()
    {
        assertRefused(TWO_CLUSTERS.replace("nodePorts: {first: 9193, count: 10}", "nodePorts: {first: 9100, count: 10}"),
            "clusters[1].listener.nodePorts: range 9100-9109 overlaps the node ports of clusters[0].listener: 9093-9102");
    }

    @Test
    void shouldRefuseTheSameListenerNameInTwoClusters()
    {
        assertRefused(TWO_CLUSTERS.replace("name: w2", "name: east"),
            "clusters[1].listeners[0].name: another listener has the name east");
    }

    @Test
    void shouldRefuseAGatewayClusterThatIsNotConfigured()
    {
        assertRefused(TWO_CLUSTERS + "gateway: {cluster: north}\n", "gateway.cluster: unknown cluster 'north'");
    }

    @Test
    void shouldReadTheRoutingSection() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(TWO_CLUSTERS + ROUTING, "t.yaml");

        // Then
        assertThat(config.routing().listener().name()).isEqualTo(RoutingConfig.DEFAULT_LISTENER_NAME);
        assertThat(config.routing().rules()).extracting(RoutingRuleConfig::cluster).containsExactly("east", "west");
        assertThat(config.routing().rules().get(0).principal()).isEqualTo("CN=tenant-a*");
        assertThat(config.routing().rules().get(1).sourceAddress()).isEqualTo(CidrBlock.parse("10.1.0.0/16"));
        assertThat(ConfigParser.parse(ConfigWriter.toYaml(config), "written.yaml")).isEqualTo(config);
    }

    @Test
    void shouldRefuseARoutingRuleNamingAnUnknownCluster()
    {
        assertRefused(TWO_CLUSTERS + ROUTING.replace("cluster: west", "cluster: north"),
            "routing.rules[1].cluster: unknown cluster 'north'");
    }

    @Test
    void shouldRefuseARoutingRuleWithoutKeys()
    {
        assertRefused(TWO_CLUSTERS + ROUTING.replace("      sourceAddress: 10.1.0.0/16\n", ""),
            "routing.rules[1].cluster: a rule needs at least one of");
    }

    @Test
    void shouldRefuseABadSourceAddress()
    {
        assertRefused(TWO_CLUSTERS + ROUTING.replace("10.1.0.0/16", "10.1.0.0/99"), "routing.rules[1].sourceAddress: ");
    }

    @Test
    void shouldRefuseAnUnknownDefaultCluster()
    {
        assertRefused(TWO_CLUSTERS + ROUTING + "  defaultCluster: north\n", "routing.defaultCluster: unknown cluster 'north'");
    }

    @Test
    void shouldRefuseARoutingListenerOnAClustersPort()
    {
        assertRefused(TWO_CLUSTERS + ROUTING.replace("127.0.0.1:9500", "127.0.0.1:9095"),
            "routing.listener.bindAddress: port 9095 is in the node ports of clusters[0].listener");
    }

    @Test
    void shouldReadASaslRoutingListenerWhenEveryClusterItReachesTerminatesSasl() throws ConfigException
    {
        // Given
        final String yaml = withSasl(TWO_CLUSTERS, "nodePorts: {first: 9093, count: 10}", "nodePorts: {first: 9193, count: 10}") +
            ROUTING.replace("{bindAddress: 127.0.0.1:9500}", "{bindAddress: 127.0.0.1:9500, " + SASL + "}");

        // When
        final ProxyConfig config = ConfigParser.parse(yaml, "t.yaml");

        // Then
        assertThat(config.routing().listener().sasl().mechanisms()).containsExactly(SaslMechanism.PLAIN);
        assertThat(ConfigParser.check(yaml, "t.yaml")).isEmpty();
    }

    @Test
    void shouldRefuseASaslRoutingListenerReachingAClusterThatDoesNotTerminateSasl()
    {
        // Given: west's first listener passes SASL through
        final String yaml = withSasl(TWO_CLUSTERS, "nodePorts: {first: 9093, count: 10}") +
            ROUTING.replace("{bindAddress: 127.0.0.1:9500}", "{bindAddress: 127.0.0.1:9500, " + SASL + "}");

        // When / Then
        assertRefused(yaml, "routing.listener.sasl: cluster 'west' reached by the rules does not terminate SASL on its first " +
            "listener (clusters[1].listener.sasl)");
    }

    @Test
    void shouldNameTheRoutingListenersPathForABadSaslValue()
    {
        // Given
        final String yaml = withSasl(TWO_CLUSTERS, "nodePorts: {first: 9093, count: 10}", "nodePorts: {first: 9193, count: 10}") +
            ROUTING.replace("{bindAddress: 127.0.0.1:9500}", "{bindAddress: 127.0.0.1:9500, sasl: {mechanisms: [PLAIN]}}");

        // When / Then
        assertRefused(yaml, "routing.listener.sasl.plainUsersFile: required with mechanism PLAIN");
    }

    private static String withSasl(final String yaml, final String... nodePorts)
    {
        String withSasl = yaml;
        for (final String ports : nodePorts)
        {
            withSasl = withSasl.replace(ports + "}", ports + ", " + SASL + "}");
        }
        return withSasl;
    }

    @Test
    void shouldLetSniListenersOfTwoClustersShareAPortWithDisjointHostNames() throws ConfigException
    {
        // When
        final ProxyConfig config = ConfigParser.parse(sniClusters("east", "west"), "t.yaml");

        // Then
        assertThat(config.clusters().get(0).listener().bindAddress()).isEqualTo(config.clusters().get(1).listener().bindAddress());
    }

    @Test
    void shouldRefuseSniListenersSharingAPortWithOverlappingHostNames()
    {
        assertRefused(sniClusters("east", "east"), "clusters[1].listener.bindAddress: port 9443 is the bootstrap port of clusters[0].listener");
    }

    private static String sniClusters(final String firstDomain, final String secondDomain)
    {
        return """
            clusters:
              - name: east
                upstream: {bootstrapServers: [east:9092]}
                listener:
                  bindAddress: 127.0.0.1:9443
                  tls: {certificate: /e.crt, privateKey: /e.key, sni: {bootstrapHost: bootstrap.%s.test, nodeHostPattern: "b-$(nodeId).%s.test"}}
              - name: west
                upstream: {bootstrapServers: [west:9092]}
                listener:
                  bindAddress: 127.0.0.1:9443
                  tls: {certificate: /w.crt, privateKey: /w.key, sni: {bootstrapHost: kafka.%s.test, nodeHostPattern: "b-$(nodeId).%s.test"}}
            """.formatted(firstDomain, firstDomain, secondDomain, secondDomain);
    }

    private static void assertRefused(final String yaml, final String message)
    {
        assertThatThrownBy(() -> ConfigParser.parse(yaml, "t.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(message);
        assertThat(ConfigParser.check(yaml, "t.yaml")).anySatisfy(error -> assertThat(error).contains(message));
    }
}
