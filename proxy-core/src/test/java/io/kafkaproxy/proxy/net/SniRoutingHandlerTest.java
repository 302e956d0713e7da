package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.DeferredBrokerTarget;
import io.kafkaproxy.proxy.routing.SniHostNames;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SniRoutingHandlerTest
{
    private final SniHostNames hostNames = new SniHostNames("bootstrap.sni.test", "broker-$(nodeId).sni.test");
    private final BrokerNodeRegistry nodes = BrokerNodeRegistry.sharedPort(hostNames, ImmediateEventExecutor.INSTANCE);
    private final DeferredBrokerTarget target = new DeferredBrokerTarget();
    private final List<String> rejections = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new SniRoutingHandler(hostNames, target, nodes,
        () -> List.of(new HostPort("kafka-1", 9092)), rejections::add, () -> 0, "sni"));

    @Test
    void shouldSendTheBootstrapHostToTheBootstrapServers()
    {
        // When
        channel.pipeline().fireUserEventTriggered(new SniCompletionEvent("BOOTSTRAP.sni.test"));

        // Then
        assertThat(target.route()).isEqualTo("bootstrap");
        assertThat(target.brokerAddress(0).getHostString()).isEqualTo("kafka-1");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.pipeline().get(SniRoutingHandler.class)).isNull();
    }

    @Test
    void shouldSendANodeHostToThatNode()
    {
        // Given
        nodes.listenOnSharedPort(9443);
        nodes.proxyPort(2, "broker-two.internal", 9092);

        // When
        channel.pipeline().fireUserEventTriggered(new SniCompletionEvent("broker-2.sni.test"));

        // Then
        assertThat(target.route()).isEqualTo("node-2");
        assertThat(target.brokerAddress(0).getHostString()).isEqualTo("broker-two.internal");
        assertThat(rejections).isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownHostOrNoHostAndCountIt()
    {
        // Given
        final EmbeddedChannel noName = new EmbeddedChannel(new SniRoutingHandler(hostNames, new DeferredBrokerTarget(), nodes,
            () -> List.of(new HostPort("kafka-1", 9092)), rejections::add, () -> 0, "sni"));

        // When
        channel.pipeline().fireUserEventTriggered(new SniCompletionEvent("kafka.example.com"));
        noName.pipeline().fireUserEventTriggered(new SniCompletionEvent((String)null));

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(noName.isOpen()).isFalse();
        assertThat(target.isChosen()).isFalse();
        assertThat(rejections).containsExactly(SniRoutingHandler.REJECTED_REASON, SniRoutingHandler.REJECTED_REASON);
    }
}
