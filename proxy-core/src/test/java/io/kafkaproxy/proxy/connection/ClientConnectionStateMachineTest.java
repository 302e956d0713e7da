package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.proxy.codec.KafkaFrameDecoder;
import io.kafkaproxy.proxy.codec.RequestHeaderDecoder;
import io.kafkaproxy.proxy.codec.SaslFraming;
import io.kafkaproxy.proxy.audit.AuditLog;
import io.kafkaproxy.proxy.circuit.BrokerCircuitBreakers;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.metrics.PolicyMetrics;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.mirror.MirrorTap;
import io.kafkaproxy.proxy.policy.ConnectionPolicy;
import io.kafkaproxy.proxy.policy.PolicyServices;
import io.kafkaproxy.proxy.routing.BrokerNodeRegistry;
import io.kafkaproxy.proxy.routing.BrokerTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.agrona.concurrent.SystemNanoClock;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.io.TempDir;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.policy.TerminatedSaslPrincipal;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.kafkaproxy.proxy.sasl.SaslServerExchange;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import static org.awaitility.Awaitility.await;

class ClientConnectionStateMachineTest
{
    /** The default policy: nothing denied, no quota, breakers on; the policy's own behaviour is tested end to end. */
    private static final ProxyConfig POLICY_CONFIG = ProxyConfig.builder(BrokerClusterConfig.of(List.of(new HostPort("broker", 9092)), null)).build();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry);
    private final AuditLog audit = new AuditLog(POLICY_CONFIG.audit(), registry);
    private final List<Promise<Integer>> listenerStarts = new ArrayList<>();
    private final BrokerNodeRegistry nodes = new BrokerNodeRegistry("proxy.example", 0, 1, (nodeId, port) ->
    {
        final Promise<Integer> started = ImmediateEventExecutor.INSTANCE.newPromise();
        listenerStarts.add(started);
        return started;
    }, ImmediateEventExecutor.INSTANCE);
    private final EmbeddedChannel broker = new EmbeddedChannel(false, false);
    private final EmbeddedChannel client = new EmbeddedChannel(false, false);
    private final FailedLoginLimiter failedLogins = new FailedLoginLimiter();
    private ClientConnectionStateMachine connection;
    private int brokerConnects;
    @TempDir
    Path directory;

    private void connect()
    {
        connect((loop, address, machine) ->
        {
            linkBroker(machine);
            return broker.newSucceededFuture();
        });
    }

    private void linkBroker(final ClientConnectionStateMachine machine)
    {
        broker.pipeline().addLast(new KafkaFrameDecoder(1 << 20), new BrokerBackendHandler(machine));
        register(broker);
    }

    private void connect(final BrokerConnector connector)
    {
        connect(connector, null);
    }

    private void connectTerminatingSasl()
    {
        connectTerminatingSasl(Duration.ZERO);
    }

    private void connectTerminatingSasl(final Duration sessionLifetime)
    {
        connectTerminatingSasl(sessionLifetime, List.of(SaslMechanism.PLAIN));
    }

    private void connectTerminatingSasl(final Duration sessionLifetime, final List<SaslMechanism> mechanisms)
    {
        SaslCredentialFixtures.writePlainUsers(directory.resolve("users.yaml"), Map.of("alice", "alice-pw"));
        SaslCredentialFixtures.writeScramUsers(directory.resolve("scram.yaml"), Map.of("alice", "alice-pw"));
        final SaslCredentials credentials = SaslCredentials.load(new SaslTerminationConfig(mechanisms, directory.resolve("users.yaml"), directory.resolve("scram.yaml"),
            null, sessionLifetime, 10));
        connect((loop, address, machine) ->
        {
            linkBroker(machine);
            return broker.newSucceededFuture();
        }, new SaslTerminationSetup(ListenerConfig.DEFAULT_NAME, () -> credentials, failedLogins, new TerminatedSaslPrincipal(),
            new SaslFraming()));
    }

    /** A connection a routing listener logged in as alice (PLAIN) before handing it on; bob may log in too. */
    private void connectRoutedAsAlice()
    {
        SaslCredentialFixtures.writePlainUsers(directory.resolve("users.yaml"), Map.of("alice", "alice-pw", "bob", "bob-pw"));
        final SaslCredentials credentials = SaslCredentials.load(new SaslTerminationConfig(List.of(SaslMechanism.PLAIN),
            directory.resolve("users.yaml"), null, null, Duration.ZERO, 10));
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("PLAIN");
        exchange.authenticate("\0alice\0alice-pw".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
        final TerminatedSaslPrincipal principal = new TerminatedSaslPrincipal();
        principal.onAuthenticated(exchange.principal());
        connect((loop, address, machine) ->
        {
            linkBroker(machine);
            return broker.newSucceededFuture();
        }, new SaslTerminationSetup("routing", () -> credentials, failedLogins, principal, new SaslFraming(),
            new RoutedLogin(exchange, false, 0)));
    }

    private void connect(final BrokerConnector connector, final SaslTerminationSetup sasl)
    {
        final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
        final RequestHeaderDecoder headerDecoder = new RequestHeaderDecoder(header, sasl == null ? null : sasl.framing());
        final BrokerTarget target = new BrokerTarget()
        {
            @Override
            public InetSocketAddress brokerAddress(final int attempt)
            {
                return attempt == 0 ? InetSocketAddress.createUnresolved("broker", 9092) : null;
            }

            @Override
            public String route()
            {
                return "test";
            }
        };
        connection = new ClientConnectionStateMachine(client, target, new BrokerConnector()
        {
            @Override
            public ChannelFuture connect(final EventLoop loop, final InetSocketAddress address, final ClientConnectionStateMachine machine)
            {
                brokerConnects++;
                return connector.connect(loop, address, machine);
            }

            @Override
            public BrokerLoginCredentials loginCredentials()
            {
                return connector.loginCredentials();
            }
        }, nodes, metrics, header, headerDecoder.view(),
            sasl == null
                ? new ConnectionPolicy(new PolicyServices(POLICY_CONFIG, audit, new PolicyMetrics(registry)), client.alloc(),
                    InetAddress.getLoopbackAddress())
                : ConnectionPolicy.terminatingSasl(new PolicyServices(POLICY_CONFIG, audit, new PolicyMetrics(registry)),
                    client.alloc(), InetAddress.getLoopbackAddress(), sasl.principal()),
            new BrokerCircuitBreakers(POLICY_CONFIG.circuitBreaker(), registry), new ConnectionLogLimits(SystemNanoClock.INSTANCE), sasl,
            MirrorTap.NONE, false);
        client.pipeline().addLast(new KafkaFrameDecoder(1 << 20), headerDecoder, new ClientFrontendHandler(connection));
        register(client);
    }

    private static void register(final EmbeddedChannel channel)
    {
        try
        {
            channel.register();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void tearDown()
    {
        client.finishAndReleaseAll();
        broker.finishAndReleaseAll();
        audit.close();
    }

    @Test
    void shouldForwardARequestAsTheSameBytesAndItsResponseBack()
    {
        // Given
        connect();
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(List.of()));
        final byte[] requestBytes = bytes(request);

        // When
        client.writeInbound(request);
        final ByteBuf forwarded = broker.readOutbound();
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 5, new MetadataResponseData().setClusterId("c")));

        // Then
        assertThat(bytes(forwarded)).isEqualTo(requestBytes);
        forwarded.release();
        final MetadataResponseData answer = readResponse(client.readOutbound(), ApiKeys.METADATA, (short)12, 5, new MetadataResponseData());
        assertThat(answer.clusterId()).isEqualTo("c");
    }

    @Test
    void shouldStopReadingFromOneSideWhileTheOtherCannotTakeMore()
    {
        // Given: tiny write buffers, so one unflushed frame makes a channel unwritable
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        assertThat(client.config().isAutoRead()).as("reads start once the broker is connected").isTrue();
        broker.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));

        // When: the broker side backs up
        broker.write(Unpooled.directBuffer().writeZero(64));

        // Then: the client is not read until the broker side drains
        assertThat(broker.isWritable()).isFalse();
        assertThat(client.config().isAutoRead()).isFalse();
        broker.flush();
        assertThat(client.config().isAutoRead()).isTrue();

        // When: the client side backs up
        client.write(Unpooled.directBuffer().writeZero(64));

        // Then: the broker is not read until the client side drains
        assertThat(broker.config().isAutoRead()).isFalse();
        client.flush();
        assertThat(broker.config().isAutoRead()).isTrue();
        releaseAll(broker);
        releaseAll(client);
    }

    @Test
    void shouldNotConnectToTheBrokerBeforeTheFirstRequestFrameIsWhole()
    {
        // Given
        connect();
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of()));
        final byte[] requestBytes = bytes(request);

        // When: the size field and half the frame
        client.writeInbound(request.readRetainedSlice(requestBytes.length / 2));
        final int connectsOnHalfAFrame = brokerConnects;
        final boolean readingOnHalfAFrame = client.config().isAutoRead();
        final ClientConnectionState onHalfAFrame = connection.state();
        client.writeInbound(request);

        // Then: a client that never finishes its first frame costs no broker connection
        assertThat(connectsOnHalfAFrame).isZero();
        assertThat(readingOnHalfAFrame).as("the client is read while nothing is connected").isTrue();
        assertThat(onHalfAFrame).isInstanceOf(ClientConnectionState.Accepted.class);
        assertThat(brokerConnects).isEqualTo(1);
        final ByteBuf forwarded = broker.readOutbound();
        assertThat(bytes(forwarded)).isEqualTo(requestBytes);
        forwarded.release();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldForwardEveryRequestReadWhileConnectingInOrderOnceConnected()
    {
        // Given: a broker connection that completes later
        final List<ChannelPromise> connects = new ArrayList<>();
        connect((loop, address, machine) ->
        {
            linkBroker(machine);
            final ChannelPromise connected = broker.newPromise();
            connects.add(connected);
            return connected;
        });
        final ByteBuf first = request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of()));
        final ByteBuf second = request(ApiKeys.METADATA, (short)12, 2, new MetadataRequestData().setTopics(List.of()));

        // When: two requests in one read, then the connect completes
        final ByteBuf oneRead = Unpooled.directBuffer().writeBytes(first).writeBytes(second);
        first.release();
        second.release();
        client.writeInbound(oneRead);
        final boolean readingWhileConnecting = client.config().isAutoRead();
        final ClientConnectionState whileConnecting = connection.state();
        connects.get(0).setSuccess();

        // Then
        assertThat(readingWhileConnecting).isFalse();
        assertThat(whileConnecting).isInstanceOf(ClientConnectionState.Connecting.class);
        for (final int correlationId : new int[] {1, 2})
        {
            final ByteBuf forwarded = broker.readOutbound();
            assertThat(forwarded.getInt(8)).isEqualTo(correlationId);
            forwarded.release();
        }
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldReleaseTheRequestsReadWhileConnectingWhenTheClientLeaves()
    {
        // Given
        connect((loop, address, machine) ->
        {
            linkBroker(machine);
            return broker.newPromise();
        });
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of()));
        client.writeInbound(request.retain());

        // When
        client.close();

        // Then
        assertThat(request.refCnt()).isEqualTo(1);
        request.release();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    @Test
    void shouldCloseBothSidesWhenTheBrokerAnswersARequestThatIsNotTheOldest()
    {
        // Given
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);

        // When
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 99, new MetadataResponseData()));

        // Then: the client is sent nothing (the empty write flushes before the close) and both sides close
        final ByteBuf flush = client.readOutbound();
        assertThat(flush.readableBytes()).isZero();
        assertThat(client.<Object>readOutbound()).isNull();
        assertThat(client.isOpen()).isFalse();
        assertThat(broker.isOpen()).isFalse();
        assertThat(metrics.connectionErrors(ProxyMetrics.Side.BROKER)).isEqualTo(1);
    }

    @Test
    void shouldNotWaitForAResponseToAcksZeroProduce()
    {
        // Given: an acks=0 produce, then a request that is answered
        connect();
        client.writeInbound(request(ApiKeys.PRODUCE, (short)9, 1, new ProduceRequestData().setAcks((short)0).setTimeoutMs(1000)));
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 2, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);

        // When
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 2, new MetadataResponseData()));

        // Then
        final ByteBuf response = client.readOutbound();
        assertThat(response.getInt(4)).isEqualTo(2);
        response.release();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerATooNewApiVersionsRequestAfterEarlierResponses()
    {
        // Given: a request in flight, then an ApiVersions version the proxy does not know
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        client.writeInbound(rawApiVersionsRequest((short)99, 2));
        releaseAll(broker);
        assertThat(client.<Object>readOutbound()).as("nothing before the broker answers").isNull();

        // When
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 1, new MetadataResponseData()));

        // Then: the broker's answer first, then the proxy's
        final ByteBuf first = client.readOutbound();
        assertThat(first.getInt(4)).isEqualTo(1);
        first.release();
        final ApiVersionsResponseData apiVersions = readResponse(client.readOutbound(), ApiKeys.API_VERSIONS, (short)0, 2,
            new ApiVersionsResponseData());
        assertThat(apiVersions.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(apiVersions.apiKeys().find(ApiKeys.API_VERSIONS.id)).isNotNull();
    }

    @Test
    void shouldHoldResponsesUntilANewNodesListenerIsBound()
    {
        // Given: a Metadata response naming a node the proxy has not met, and a response behind it
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 2, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        final MetadataResponseData withNewNode = new MetadataResponseData();
        withNewNode.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(7).setHost("b7").setPort(9092));

        // When
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 1, withNewNode));
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 2, withNewNode));

        // Then: nothing reaches the client until the listener is bound, then both, in order, rewritten
        assertThat(client.<Object>readOutbound()).isNull();
        assertThat(listenerStarts).hasSize(1);
        listenerStarts.get(0).setSuccess(45000);
        client.runPendingTasks();
        for (final int correlationId : new int[] {1, 2})
        {
            final MetadataResponseData answer = readResponse(client.readOutbound(), ApiKeys.METADATA, (short)12,
                correlationId, new MetadataResponseData());
            assertThat(answer.brokers().find(7).host()).isEqualTo("proxy.example");
            assertThat(answer.brokers().find(7).port()).isEqualTo(45000);
        }
    }

    @Test
    void shouldReleaseHeldResponsesWhenTheClientLeaves()
    {
        // Given
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        final MetadataResponseData withNewNode = new MetadataResponseData();
        withNewNode.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(8).setHost("b8").setPort(9092));
        final ByteBuf held = response(ApiKeys.METADATA, (short)12, 1, withNewNode);
        broker.writeInbound(held.retain());

        // When
        client.close();

        // Then
        assertThat(held.refCnt()).isEqualTo(1);
        held.release();
        assertThat(broker.isOpen()).isFalse();
    }

    @Test
    void shouldCloseOnceEveryRequestReadIsAnsweredWhenDraining()
    {
        // Given
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);

        // When
        client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        final ClientConnectionState whileAnswerOwed = connection.state();
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 1, new MetadataResponseData().setClusterId("c")));

        // Then
        assertThat(whileAnswerOwed).isInstanceOf(ClientConnectionState.Draining.class);
        final MetadataResponseData answer = readResponse(client.readOutbound(), ApiKeys.METADATA, (short)12, 1, new MetadataResponseData());
        assertThat(answer.clusterId()).isEqualTo("c");
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.isOpen()).isFalse();
        assertThat(broker.isOpen()).isFalse();
    }

    @Test
    void shouldSendHeldResponsesBeforeClosingWhenDrainingWhileHolding()
    {
        // Given: a response held for a new node's listener
        connect();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));
        releaseAll(broker);
        final MetadataResponseData withNewNode = new MetadataResponseData();
        withNewNode.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(9).setHost("b9").setPort(9092));
        broker.writeInbound(response(ApiKeys.METADATA, (short)12, 1, withNewNode));
        final ClientConnectionState holding = connection.state();

        // When
        client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        final ClientConnectionState drainingWhileHolding = connection.state();
        listenerStarts.get(0).setSuccess(45001);
        client.runPendingTasks();

        // Then
        assertThat(holding).isInstanceOf(ClientConnectionState.Holding.class);
        assertThat(((ClientConnectionState.Holding)drainingWhileHolding).resume()).isInstanceOf(ClientConnectionState.Draining.class);
        final MetadataResponseData answer = readResponse(client.readOutbound(), ApiKeys.METADATA, (short)12, 1, new MetadataResponseData());
        assertThat(answer.brokers().find(9).port()).isEqualTo(45001);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(broker.isOpen()).isFalse();
    }

    @Test
    void shouldLogInToTheBrokerWithTheProxysOwnCredentialsBeforeForwardingTheFirstRequest()
    {
        // Given
        connectLoggingIn();
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(List.of()));
        final byte[] requestBytes = bytes(request);

        // When
        client.writeInbound(request);
        final ByteBuf handshake = broker.readOutbound();
        final RequestHeaderData handshakeHeader = new RequestHeaderData();
        final SaslHandshakeRequestData handshakeBody = readRequest(handshake, handshakeHeader, new SaslHandshakeRequestData());
        final boolean readingWhileLoggingIn = client.config().isAutoRead();
        broker.writeInbound(response(ApiKeys.SASL_HANDSHAKE, (short)1, handshakeHeader.correlationId(),
            new SaslHandshakeResponseData().setMechanisms(List.of("PLAIN"))));
        final ByteBuf authenticate = broker.readOutbound();
        final RequestHeaderData authenticateHeader = new RequestHeaderData();
        final SaslAuthenticateRequestData authenticateBody = readRequest(authenticate, authenticateHeader, new SaslAuthenticateRequestData());
        final ClientConnectionState beforeTheAnswer = connection.state();
        broker.writeInbound(response(ApiKeys.SASL_AUTHENTICATE, (short)0, authenticateHeader.correlationId(),
            new SaslAuthenticateResponseData().setAuthBytes(new byte[0])));
        final ByteBuf forwarded = broker.readOutbound();

        // Then: the login's answers never reach the client, and the client's request follows them unchanged
        assertThat(handshakeBody.mechanism()).isEqualTo("PLAIN");
        assertThat(readingWhileLoggingIn).isFalse();
        assertThat(new String(authenticateBody.authBytes())).isEqualTo("\0kafka-proxy\0proxy-secret");
        assertThat(beforeTheAnswer).isInstanceOf(ClientConnectionState.LoggingIn.class);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        assertThat(bytes(forwarded)).isEqualTo(requestBytes);
        forwarded.release();
        assertThat((Object)client.readOutbound()).isNull();
        assertThat(client.config().isAutoRead()).isTrue();
    }

    @Test
    void shouldCloseBothSidesCountedAndReleaseTheFirstRequestWhenTheBrokerRefusesTheProxysLogin()
    {
        // Given
        connectLoggingIn();
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(List.of()));
        client.writeInbound(request);
        final RequestHeaderData handshakeHeader = new RequestHeaderData();
        readRequest(broker.readOutbound(), handshakeHeader, new SaslHandshakeRequestData());
        broker.writeInbound(response(ApiKeys.SASL_HANDSHAKE, (short)1, handshakeHeader.correlationId(),
            new SaslHandshakeResponseData().setMechanisms(List.of("PLAIN"))));
        final RequestHeaderData authenticateHeader = new RequestHeaderData();
        readRequest(broker.readOutbound(), authenticateHeader, new SaslAuthenticateRequestData());

        // When
        broker.writeInbound(response(ApiKeys.SASL_AUTHENTICATE, (short)0, authenticateHeader.correlationId(),
            new SaslAuthenticateResponseData().setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage("Authentication failed: Invalid username or password")));

        // Then
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.isOpen()).isFalse();
        assertThat(broker.isOpen()).isFalse();
        assertThat(request.refCnt()).isZero();
        assertThat((Object)broker.readOutbound()).isNull();
        assertThat(registry.find(ProxyMetrics.BROKER_AUTHENTICATION_FAILURES).tag(ProxyMetrics.BROKER, "broker:9092").counter().count())
            .isEqualTo(1);
    }

    @Test
    void shouldCloseBothSidesWhenTheBrokerLeavesTheProxysLoginUnansweredPastTheConnectTimeout()
    {
        // Given
        connectLoggingIn();
        client.freezeTime();
        final ByteBuf request = request(ApiKeys.METADATA, (short)12, 5, new MetadataRequestData().setTopics(List.of()));
        client.writeInbound(request);
        releaseAll(broker);

        // When
        client.advanceTimeBy(BrokerClusterConfig.DEFAULT_CONNECT_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        final ClientConnectionState beforeTheDeadline = connection.state();
        client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        // Then
        assertThat(beforeTheDeadline).isInstanceOf(ClientConnectionState.LoggingIn.class);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.isOpen()).isFalse();
        assertThat(broker.isOpen()).isFalse();
        assertThat(request.refCnt()).isZero();
    }

    private void connectLoggingIn()
    {
        connect(new BrokerConnector()
        {
            @Override
            public ChannelFuture connect(final EventLoop loop, final InetSocketAddress address, final ClientConnectionStateMachine machine)
            {
                linkBroker(machine);
                return broker.newSucceededFuture();
            }

            @Override
            public BrokerLoginCredentials loginCredentials()
            {
                return new BrokerLoginCredentials(BrokerSaslMechanism.PLAIN, "kafka-proxy", "proxy-secret");
            }
        });
    }

    private static <T extends ApiMessage> T readRequest(final ByteBuf frame, final RequestHeaderData header, final T message)
    {
        try
        {
            final ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(bytes(frame), 4, frame.readableBytes() - 4));
            header.read(accessor, (short)1);
            message.read(accessor, header.requestApiVersion());
            return message;
        }
        finally
        {
            frame.release();
        }
    }

    private static ByteBuf request(final ApiKeys api, final short version, final int correlationId, final ApiMessage body)
    {
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId("test");
        return frame(MessageUtil.toByteBufferAccessor(header, api.requestHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    private static ByteBuf rawApiVersionsRequest(final short version, final int correlationId)
    {
        final ByteBuffer header = ByteBuffer.allocate(11).putShort(ApiKeys.API_VERSIONS.id).putShort(version)
            .putInt(correlationId).putShort((short)0).put((byte)0).flip();
        return frame(header, ByteBuffer.allocate(0));
    }

    private static ByteBuf response(final ApiKeys api, final short version, final int correlationId, final ApiMessage body)
    {
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        return frame(MessageUtil.toByteBufferAccessor(header, api.responseHeaderVersion(version)).buffer(),
            MessageUtil.toByteBufferAccessor(body, version).buffer());
    }

    private static ByteBuf frame(final ByteBuffer header, final ByteBuffer body)
    {
        return Unpooled.directBuffer().writeInt(header.remaining() + body.remaining()).writeBytes(header).writeBytes(body);
    }

    private static <T extends ApiMessage> T readResponse(
        final ByteBuf frame, final ApiKeys api, final short version, final int correlationId, final T message)
    {
        try
        {
            final ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(bytes(frame), 4, frame.readableBytes() - 4));
            assertThat(new ResponseHeaderData(accessor, api.responseHeaderVersion(version)).correlationId()).isEqualTo(correlationId);
            message.read(accessor, version);
            return message;
        }
        finally
        {
            frame.release();
        }
    }

    private static byte[] bytes(final ByteBuf buffer)
    {
        final byte[] bytes = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), bytes);
        return bytes;
    }

    private static void releaseAll(final EmbeddedChannel channel)
    {
        Object message;
        while ((message = channel.readOutbound()) != null)
        {
            ((ByteBuf)message).release();
        }
    }

    @Test
    void shouldCloseAConnectionThatSendsAnythingButApiVersionsOrSaslBeforeItsLogin()
    {
        // Given
        connectTerminatingSasl();

        // When
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat((Object)broker.readOutbound()).isNull();
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void shouldForwardApiVersionsAndAnswerTheSaslExchangeItselfThenForward()
    {
        // Given
        connectTerminatingSasl();
        client.writeInbound(rawApiVersionsRequest((short)3, 1));
        final ByteBuf apiVersions = broker.readOutbound();
        final ClientConnectionState authenticating = connection.state();
        broker.writeInbound(response(ApiKeys.API_VERSIONS, (short)3, 1, new ApiVersionsResponseData()));
        releaseAll(client);

        // When
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 2, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        final SaslHandshakeResponseData handshake =
            readResponse(client.readOutbound(), ApiKeys.SASL_HANDSHAKE, (short)1, 2, new SaslHandshakeResponseData());
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, 3,
            new SaslAuthenticateRequestData().setAuthBytes("\0alice\0alice-pw".getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return client.outboundMessages().size() == 1;
        });
        final SaslAuthenticateResponseData authenticate =
            readResponse(client.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)2, 3, new SaslAuthenticateResponseData());
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 4, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(apiVersions).isNotNull();
        apiVersions.release();
        assertThat(authenticating).isInstanceOf(ClientConnectionState.Authenticating.class);
        assertThat(handshake.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(handshake.mechanisms()).containsExactly("PLAIN");
        assertThat(authenticate.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        final ByteBuf metadata = broker.readOutbound();
        assertThat(metadata).isNotNull();
        metadata.release();
    }

    @Test
    void shouldForwardAtOnceAConnectionARoutingListenerLoggedIn()
    {
        // Given
        connectRoutedAsAlice();

        // When
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        final ByteBuf metadata = broker.readOutbound();
        assertThat(metadata).isNotNull();
        metadata.release();
    }

    @Test
    void shouldLetARoutedConnectionReauthenticateAsItsOwnPrincipal()
    {
        // Given
        connectRoutedAsAlice();

        // When: KIP-368, the same login again on the routed connection
        final SaslAuthenticateResponseData again = logIn(1);
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 3, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(again.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        final ByteBuf metadata = broker.readOutbound();
        assertThat(metadata).isNotNull();
        metadata.release();
    }

    @Test
    void shouldRefuseAReauthenticationOfARoutedConnectionAsAnotherPrincipal()
    {
        // Given
        connectRoutedAsAlice();
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        releaseAll(client);

        // When: bob's valid credentials, on alice's connection (routed to alice's cluster)
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, 2,
            new SaslAuthenticateRequestData().setAuthBytes("\0bob\0bob-pw".getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return !client.outboundMessages().isEmpty();
        });

        // Then
        final SaslAuthenticateResponseData refused =
            readResponse(client.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)2, 2, new SaslAuthenticateResponseData());
        assertThat(refused.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(refused.errorMessage()).isEqualTo("Cannot change principals during re-authentication from User.alice: User.bob");
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    @Test
    void shouldAnswerAWrongPasswordWithSaslAuthenticationFailedAndClose()
    {
        // Given
        connectTerminatingSasl();
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        releaseAll(client);

        // When
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)1, 2,
            new SaslAuthenticateRequestData().setAuthBytes("\0alice\0guess".getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return !client.outboundMessages().isEmpty();
        });

        // Then
        final SaslAuthenticateResponseData failed =
            readResponse(client.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)1, 2, new SaslAuthenticateResponseData());
        assertThat(failed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(failed.errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(registry.find(ProxyMetrics.SASL_AUTHENTICATIONS).tag(ProxyMetrics.LISTENER, ListenerConfig.DEFAULT_NAME)
            .tag(ProxyMetrics.OUTCOME, "failure").counter().count())
            .isEqualTo(1.0);
    }

    private SaslAuthenticateResponseData logIn(final int correlationId)
    {
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, correlationId, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        releaseAll(client);
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, correlationId + 1,
            new SaslAuthenticateRequestData().setAuthBytes("\0alice\0alice-pw".getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return !client.outboundMessages().isEmpty();
        });
        return readResponse(client.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)2, correlationId + 1, new SaslAuthenticateResponseData());
    }

    @Test
    void shouldCloseALoggedInConnectionWhoseSessionEndedWithoutReauthentication()
    {
        // Given
        connectTerminatingSasl(Duration.ofMillis(50));
        final SaslAuthenticateResponseData login = logIn(1);
        final long loggedInNanos = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - loggedInNanos > 60_000_000L);

        // When
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 3, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(login.sessionLifetimeMs()).isEqualTo(50L);
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat((Object)broker.readOutbound()).isNull();
    }

    @Test
    void shouldAnswerASaslAuthenticateWithoutAHandshakeAfterTheLoginWithIllegalSaslState()
    {
        // Given
        connectTerminatingSasl();
        logIn(1);

        // When
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, 3, new SaslAuthenticateRequestData().setAuthBytes(new byte[1])));

        // Then
        final SaslAuthenticateResponseData answer =
            readResponse(client.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)2, 3, new SaslAuthenticateResponseData());
        assertThat(answer.errorCode()).isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldTakeRawTokensAfterAVersionZeroHandshakeAndForwardOnceLoggedIn()
    {
        // Given
        connectTerminatingSasl();
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)0, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        final SaslHandshakeResponseData handshake =
            readResponse(client.readOutbound(), ApiKeys.SASL_HANDSHAKE, (short)0, 1, new SaslHandshakeResponseData());

        // When
        client.writeInbound(rawToken("\0alice\0alice-pw"));
        final ByteBuf answer = awaitOutbound();
        client.writeInbound(request(ApiKeys.METADATA, (short)12, 2, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(handshake.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.readableBytes()).isEqualTo(4);
        assertThat(answer.readInt()).isZero();
        answer.release();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
        final ByteBuf metadata = broker.readOutbound();
        assertThat(metadata).isNotNull();
        metadata.release();
        assertThat(registry.find(ProxyMetrics.SASL_AUTHENTICATIONS).tag(ProxyMetrics.OUTCOME, "success").counter().count())
            .isEqualTo(1.0);
    }

    @Test
    void shouldCloseWithoutAnAnswerOnAWrongPasswordInARawToken()
    {
        // Given
        connectTerminatingSasl();
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)0, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        releaseAll(client);

        // When
        client.writeInbound(rawToken("\0alice\0guess"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return !client.isOpen();
        });

        // Then
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
        assertThat(client.outboundMessages()).allSatisfy(message -> assertThat(((ByteBuf)message).readableBytes()).isZero());
        assertThat(registry.find(ProxyMetrics.SASL_AUTHENTICATIONS).tag(ProxyMetrics.OUTCOME, "failure").counter().count())
            .isEqualTo(1.0);
    }

    @Test
    void shouldAnswerAVersionZeroHandshakeAfterTheLoginWithIllegalSaslState()
    {
        // Given
        connectTerminatingSasl();
        logIn(1);

        // When
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)0, 3, new SaslHandshakeRequestData().setMechanism("PLAIN")));

        // Then
        final SaslHandshakeResponseData answer =
            readResponse(client.readOutbound(), ApiKeys.SASL_HANDSHAKE, (short)0, 3, new SaslHandshakeResponseData());
        assertThat(answer.errorCode()).isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    @Test
    void shouldExchangeScramRawTokensAfterAVersionZeroHandshake() throws Exception
    {
        // Given
        connectTerminatingSasl(Duration.ZERO, List.of(SaslMechanism.SCRAM_SHA_256));
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)0, 1, new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256")));
        releaseAll(client);
        final ScramSaslClient scram = new ScramSaslClient(ScramMechanism.SCRAM_SHA_256,
            callbacks ->
            {
                for (final Callback callback : callbacks)
                {
                    if (callback instanceof NameCallback name)
                    {
                        name.setName("alice");
                    }
                    else if (callback instanceof PasswordCallback password)
                    {
                        password.setPassword("alice-pw".toCharArray());
                    }
                }
            });

        // When
        client.writeInbound(rawToken(scram.evaluateChallenge(new byte[0])));
        final byte[] serverFirst = readRawToken(awaitOutbound());
        client.writeInbound(rawToken(scram.evaluateChallenge(serverFirst)));
        final byte[] serverFinal = readRawToken(awaitOutbound());
        scram.evaluateChallenge(serverFinal);

        // Then
        assertThat(scram.isComplete()).isTrue();
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Forwarding.class);
    }

    private static byte[] readRawToken(final ByteBuf answer)
    {
        final byte[] token = new byte[answer.readInt()];
        answer.readBytes(token);
        answer.release();
        return token;
    }

    @Test
    void shouldAnswerARefusedLoginAndCloseOnlyAfterTheBrokersDelay()
    {
        // Given: the client's address is past its failed logins (EmbeddedChannel's address is not an inet one: loopback)
        connectTerminatingSasl();
        for (int i = 0; i < 11; i++)
        {
            failedLogins.onFailure(InetAddress.getLoopbackAddress(), System.nanoTime());
        }
        client.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        releaseAll(client);

        // When
        final long sentNanos = System.nanoTime();
        client.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, 2,
            new SaslAuthenticateRequestData().setAuthBytes("\0alice\0alice-pw".getBytes(StandardCharsets.UTF_8))));
        final boolean answeredAtOnce = !client.outboundMessages().isEmpty();
        final ByteBuf answer = awaitOutbound();
        final long answeredAfterNanos = System.nanoTime() - sentNanos;

        // Then
        assertThat(answeredAtOnce).isFalse();
        assertThat(answeredAfterNanos).isGreaterThanOrEqualTo(ConnectionTimers.FAILED_LOGIN_DELAY_NANOS);
        final SaslAuthenticateResponseData refused =
            readResponse(answer, ApiKeys.SASL_AUTHENTICATE, (short)2, 2, new SaslAuthenticateResponseData());
        assertThat(refused.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(refused.errorMessage()).contains("too many failed logins");
        assertThat(connection.state()).isInstanceOf(ClientConnectionState.Closed.class);
    }

    private ByteBuf awaitOutbound()
    {
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            client.runPendingTasks();
            return !client.outboundMessages().isEmpty();
        });
        return client.readOutbound();
    }

    private static ByteBuf rawToken(final String token)
    {
        return rawToken(token.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf rawToken(final byte[] bytes)
    {
        return Unpooled.buffer(4 + bytes.length).writeInt(bytes.length).writeBytes(bytes);
    }
}
