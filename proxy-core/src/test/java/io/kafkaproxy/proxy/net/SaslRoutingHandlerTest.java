package io.kafkaproxy.proxy.net;

import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.RoutingConfig;
import io.kafkaproxy.proxy.config.RoutingRuleConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.connection.ConnectionLogLimits;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.routing.ClusterRoutes;
import io.kafkaproxy.proxy.sasl.FailedLoginLimiter;
import io.kafkaproxy.proxy.sasl.SaslCredentials;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.agrona.concurrent.SystemNanoClock;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SaslRoutingHandlerTest
{
    @TempDir
    Path directory;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private int rejections;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp()
    {
        SaslCredentialFixtures.writePlainUsers(directory.resolve("users.yaml"), Map.of("carol", "carol-pw"));
        final SaslCredentials credentials = SaslCredentials.load(SaslTerminationConfig.of(List.of(SaslMechanism.PLAIN),
            directory.resolve("users.yaml").toString(), null, null, null, null));
        final ClusterRoutes routes = ClusterRoutes.compile(new RoutingConfig(ListenerConfig.of(new HostPort("127.0.0.1", 9300), null, null),
            List.of(RoutingRuleConfig.of("east", "alice", null, null)), null));
        final RoutingListenerContext routing = new RoutingListenerContext("routing", () -> credentials, new FailedLoginLimiter(),
            name ->
            {
                throw new IllegalStateException("no cluster is reached in this test");
            },
            routes.clusterNames(), () -> rejections++, () -> 0, 1 << 20);
        final ConnectionServices services = new ConnectionServices(null, new ProxyMetrics(registry),
            new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), pipeline -> { }, new ConnectionLogLimits(SystemNanoClock.INSTANCE), true);
        channel = new EmbeddedChannel(new SaslRoutingHandler(routes, routing, null, services, 0));
    }

    @Test
    void shouldCloseARequestOtherThanApiVersionsOrSaslBeforeTheLogin()
    {
        // When
        channel.writeInbound(request(ApiKeys.METADATA, (short)12, 1, new MetadataRequestData().setTopics(List.of())));

        // Then
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object)channel.readOutbound()).isNull();
        assertThat(rejections).isZero();
    }

    @Test
    void shouldAnswerAMechanismNotEnabledAndCloseAfterTheDelay()
    {
        // When
        channel.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeRequestData().setMechanism("GSSAPI")));
        await().atMost(Duration.ofSeconds(5)).until(() ->
        {
            channel.runPendingTasks();
            return !channel.outboundMessages().isEmpty();
        });

        // Then
        final SaslHandshakeResponseData handshake =
            readResponse(channel.readOutbound(), ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeResponseData());
        assertThat(handshake.errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(handshake.mechanisms()).containsExactly("PLAIN");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldTellAPrincipalNoRuleRoutesThatItsLoginFailedAndCountIt()
    {
        // Given
        channel.writeInbound(request(ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        readResponse(channel.readOutbound(), ApiKeys.SASL_HANDSHAKE, (short)1, 1, new SaslHandshakeResponseData());

        // When: carol's good credentials; only alice has a cluster
        channel.writeInbound(request(ApiKeys.SASL_AUTHENTICATE, (short)2, 2,
            new SaslAuthenticateRequestData().setAuthBytes("\0carol\0carol-pw".getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            channel.runPendingTasks();
            return !channel.outboundMessages().isEmpty();
        });

        // Then
        final SaslAuthenticateResponseData answer =
            readResponse(channel.readOutbound(), ApiKeys.SASL_AUTHENTICATE, (short)2, 2, new SaslAuthenticateResponseData());
        assertThat(answer.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(answer.errorMessage()).isEqualTo("Authentication failed: no cluster for principal User:carol");
        assertThat(rejections).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
    }

    private static ByteBuf request(final ApiKeys api, final short version, final int correlationId, final ApiMessage body)
    {
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId("test");
        final ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header, api.requestHeaderVersion(version)).buffer();
        final ByteBuffer bodyBytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        return Unpooled.directBuffer().writeInt(headerBytes.remaining() + bodyBytes.remaining()).writeBytes(headerBytes).writeBytes(bodyBytes);
    }

    private static <T extends ApiMessage> T readResponse(
        final ByteBuf frame, final ApiKeys api, final short version, final int correlationId, final T message)
    {
        try
        {
            final byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            final ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(bytes, 4, bytes.length - 4));
            assertThat(new ResponseHeaderData(accessor, api.responseHeaderVersion(version)).correlationId()).isEqualTo(correlationId);
            message.read(accessor, version);
            return message;
        }
        finally
        {
            frame.release();
        }
    }
}
