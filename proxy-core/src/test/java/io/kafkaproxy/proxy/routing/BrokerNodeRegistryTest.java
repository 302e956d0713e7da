package io.kafkaproxy.proxy.routing;

import ch.qos.logback.classic.Level;
import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry.ListenerState;
import io.kafkaproxy.proxy.testing.LogCapture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerNodeRegistryTest
{
    private final List<int[]> startRequests = new ArrayList<>();
    private final List<Promise<Integer>> startResults = new ArrayList<>();

    private Future<Integer> start(final int nodeId, final int port)
    {
        startRequests.add(new int[] {nodeId, port});
        final Promise<Integer> promise = ImmediateEventExecutor.INSTANCE.newPromise();
        startResults.add(promise);
        return promise;
    }

    @Test
    void shouldHoldANewNodeUntilItsListenerIsBound()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);

        // When
        final int before = registry.proxyPort(7, "b7", 9092);
        final Future<Void> ready = registry.listenersReady();
        startResults.get(0).setSuccess(9100);

        // Then
        assertThat(before).isEqualTo(BrokerEndpointMapper.PORT_PENDING);
        assertThat(startRequests).singleElement().satisfies(request -> assertThat(request).containsExactly(7, 9100));
        assertThat(ready.isDone()).isTrue();
        assertThat(registry.proxyPort(7, "b7", 9092)).isEqualTo(9100);
        assertThat(registry.brokerAddress(7).getHostString()).isEqualTo("b7");
        assertThat(registry.listenersReady().isDone()).isTrue();
    }

    @Test
    void shouldForgetBrokerAddressesButKeepNodePortsForTheNextUpstream()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(1, "east-1", 9092);
        startResults.get(0).setSuccess(9100);

        // When
        registry.forgetBrokerAddresses();

        // Then: no connection goes to the old upstream, and the standby's node 1 gets node 1's port without a new listener
        assertThat(registry.brokerAddress(1)).isNull();
        assertThat(registry.proxyPort(1, "west-1", 9092)).isEqualTo(9100);
        assertThat(registry.brokerAddress(1).getHostString()).isEqualTo("west-1");
        assertThat(startRequests).hasSize(1);
    }

    @Test
    void shouldTellEveryListenersRegistryOfANodeOneOfThemLearnt()
    {
        // Given
        final BrokerNodeRegistry first = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);
        final BrokerNodeRegistry second = new BrokerNodeRegistry("proxy", 9193, 10, this::start, ImmediateEventExecutor.INSTANCE);
        BrokerNodeRegistry.shareNodes(List.of(first, second));

        // When: the second listener's connection names the node, and later sees it move
        second.proxyPort(3, "b3", 9092);
        startResults.get(0).setSuccess(9196);
        startResults.get(1).setSuccess(9096);
        second.proxyPort(3, "b3-moved", 9092);

        // Then: the first listener bound its own port for the node and follows its address
        assertThat(startRequests).extracting(request -> request[1]).containsExactly(9196, 9096);
        assertThat(first.proxyPort(3, "b3-moved", 9092)).isEqualTo(9096);
        assertThat(second.proxyPort(3, "b3-moved", 9092)).isEqualTo(9196);
        assertThat(first.brokerAddress(3).getHostString()).isEqualTo("b3-moved");
        assertThat(startRequests).hasSize(2);
    }

    @Test
    void shouldAdvertiseEveryNodeOfAnSniListenerByNameOnItsOnePortAtOnce()
    {
        // Given
        final BrokerNodeRegistry registry = BrokerNodeRegistry.sharedPort(
            new SniHostNames("bootstrap.example", "broker-$(nodeId).example"), ImmediateEventExecutor.INSTANCE);
        registry.listenOnSharedPort(9443);

        // When
        final int port = registry.proxyPort(7, "b7", 9092);

        // Then: no listener of its own, listening already, under its own name
        assertThat(port).isEqualTo(9443);
        assertThat(startRequests).isEmpty();
        assertThat(registry.nodes()).singleElement().satisfies(node -> assertThat(node.state()).isEqualTo(ListenerState.LISTENING));
        assertThat(registry.advertisedHost(7)).isEqualTo("broker-7.example");
        assertThat(registry.brokerAddress(7).getHostString()).isEqualTo("b7");
        assertThat(registry.listenersReady().isDone()).isTrue();
    }

    @Test
    void shouldUseTheEphemeralPortTheListenerGot()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 0, 0, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(1000, "b", 9092);

        // When
        startResults.get(0).setSuccess(45678);

        // Then
        assertThat(startRequests.get(0)).containsExactly(1000, 0);
        assertThat(registry.proxyPort(1000, "b", 9092)).isEqualTo(45678);
    }

    @Test
    void shouldMoveToTheNextPortWhenABindFails()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(1, "b1", 9092);

        // When
        startResults.get(0).setFailure(new BindException("in use"));
        startResults.get(1).setSuccess(9095);

        // Then
        assertThat(startRequests).hasSize(2);
        assertThat(startRequests.get(1)).containsExactly(1, 9095);
        assertThat(registry.proxyPort(1, "b1", 9092)).isEqualTo(9095);
    }

    @Test
    void shouldLogABindFailureOnOneLineWithItsCauseButNoStackTrace()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(1, "b1", 9092);

        try (LogCapture log = new LogCapture(BrokerNodeRegistry.class))
        {
            // When
            startResults.get(0).setFailure(new BindException("cannot bind the listener of broker node 1: address=0.0.0.0:9093: in use"));

            // Then
            assertThat(log.events(Level.ERROR)).singleElement().satisfies(line ->
            {
                assertThat(line.getThrowableProxy()).as("no stack trace unless DEBUG").isNull();
                assertThat(line.getKeyValuePairs()).anySatisfy(pair ->
                {
                    assertThat(pair.key).isEqualTo("error");
                    assertThat(pair.value.toString()).contains("address=0.0.0.0:9093");
                });
            });
        }
    }

    @Test
    void shouldReportAnUnavailableNodeWhenNoPortIsLeft()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 1, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(1, "b1", 9092);
        startResults.get(0).setSuccess(9093);

        // When
        final int port = registry.proxyPort(2, "b2", 9092);

        // Then
        assertThat(port).isEqualTo(BrokerEndpointMapper.PORT_UNAVAILABLE);
        assertThat(registry.nodes()).extracting(BrokerNodeRegistry.BrokerNode::state)
            .containsExactly(ListenerState.LISTENING, ListenerState.FAILED);
    }

    @Test
    void shouldKeepTheProxyPortWhenABrokerMoves()
    {
        // Given
        final BrokerNodeRegistry registry = new BrokerNodeRegistry("proxy", 9093, 10, this::start, ImmediateEventExecutor.INSTANCE);
        registry.proxyPort(3, "old-host", 9092);
        startResults.get(0).setSuccess(9096);

        // When
        final int port = registry.proxyPort(3, "new-host", 19092);

        // Then
        assertThat(port).isEqualTo(9096);
        assertThat(registry.brokerAddress(3).getHostString()).isEqualTo("new-host");
        assertThat(registry.brokerAddress(3).getPort()).isEqualTo(19092);
        assertThat(startRequests).hasSize(1);
    }
}
