package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.DeferredBrokerTarget;
import io.kafkaproxy.proxy.routing.SniHostNames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
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
    void shouldRefuseAnUnknownHostOrATlsClientWithoutAHostAndCountIt()
    {
        // Given
        final EmbeddedChannel noName = new EmbeddedChannel(new SniRoutingHandler(hostNames, new DeferredBrokerTarget(), nodes,
            () -> List.of(new HostPort("kafka-1", 9092)), rejections::add, () -> 0, "sni"));

        // When: a name of no host; no name, and then a handshake that succeeds
        channel.pipeline().fireUserEventTriggered(new SniCompletionEvent("kafka.example.com"));
        noName.pipeline().fireUserEventTriggered(new SniCompletionEvent((String)null));
        final boolean openUntilHandshake = noName.isOpen();
        noName.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat(openUntilHandshake).isTrue();
        assertThat(noName.isOpen()).isFalse();
        assertThat(target.isChosen()).isFalse();
        assertThat(rejections).containsExactly(SniRoutingHandler.REJECTED_REASON, SniRoutingHandler.REJECTED_REASON);
    }

    @Test
    void shouldReportAFailureBeforeTheServerNameAsAFailedHandshakeAndLeaveAFailedHandshakeUncounted()
    {
        // Given
        final List<Object> events = new ArrayList<>();
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter()
        {
            @Override
            public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
            {
                events.add(evt);
            }

            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
            {
                events.add(cause);
            }
        });
        final NotSslRecordException notTls = new NotSslRecordException("not an SSL/TLS record");

        // When
        channel.pipeline().fireExceptionCaught(notTls);

        // Then
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOfSatisfying(SslHandshakeCompletionEvent.class,
            event -> assertThat(event.cause()).isSameAs(notTls));
        assertThat(events.get(1)).isSameAs(notTls);
        assertThat(target.isChosen()).isFalse();

        // And: bytes that are not TLS after a ClientHello without a name fail the handshake, which is passed on
        final EmbeddedChannel plaintext = new EmbeddedChannel(new SniRoutingHandler(hostNames, new DeferredBrokerTarget(), nodes,
            () -> List.of(new HostPort("kafka-1", 9092)), rejections::add, () -> 0, "sni"));
        plaintext.pipeline().fireUserEventTriggered(new SniCompletionEvent((String)null));
        plaintext.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(notTls));
        assertThat(rejections).isEmpty();
        assertThat(plaintext.pipeline().get(SniRoutingHandler.class)).isNull();
    }
}
