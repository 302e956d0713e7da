package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class ApiVersionsClusterCheckTest
{
    private static final short VERSION = 5;
    private static final String PRESENTED = "06CuToUTxpoezSbPdIujbw";

    @Test
    void shouldForwardARequestWithoutClusterIdUnchanged()
    {
        // Given
        final ByteBuf frame = request(null, -1);

        // When
        final ByteBuf checked = ApiVersionsClusterCheck.check(frame, VERSION, PRESENTED, ByteBufAllocator.DEFAULT);

        // Then
        assertThat(checked).isSameAs(frame);
        frame.release();
    }

    @Test
    void shouldClearTheClusterIdAndNodeIdOfARequestNamingThePresentedCluster()
    {
        // Given
        final ByteBuf frame = request(PRESENTED, 1);

        // When
        final ByteBuf checked = ApiVersionsClusterCheck.check(frame, VERSION, PRESENTED, ByteBufAllocator.DEFAULT);

        // Then
        assertThat(checked).isNotSameAs(frame);
        final ByteBuffer message = checked.nioBuffer(4, checked.readableBytes() - 4);
        assertThat(checked.getInt(0)).isEqualTo(checked.readableBytes() - 4);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(message);
        final RequestHeaderData header = new RequestHeaderData(accessor, ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.API_VERSIONS, VERSION));
        final ApiVersionsRequestData body = new ApiVersionsRequestData(accessor, VERSION);
        assertThat(header.correlationId()).isEqualTo(7);
        assertThat(header.clientId()).isEqualTo("client-1");
        assertThat(body.clusterId()).isNull();
        assertThat(body.nodeId()).isEqualTo(-1);
        assertThat(body.clientSoftwareName()).isEqualTo("apache-kafka-java");
        assertThat(message.remaining()).isZero();
        frame.release();
        checked.release();
    }

    @Test
    void shouldAskForARebootstrapWhenTheRequestNamesAnotherCluster()
    {
        // Given
        final ByteBuf frame = request(PRESENTED + "-standby", 1);

        // When
        final ByteBuf checked = ApiVersionsClusterCheck.check(frame, VERSION, PRESENTED, ByteBufAllocator.DEFAULT);
        final ByteBuf answer = ApiVersionsClusterCheck.rebootstrapRequired(7, VERSION, ByteBufAllocator.DEFAULT);

        // Then
        assertThat(checked).isNull();
        assertThat(answer.getInt(0)).isEqualTo(answer.readableBytes() - 4);
        assertThat(answer.getInt(4)).isEqualTo(7);
        final ApiVersionsResponseData response = new ApiVersionsResponseData(
            new ByteBufferAccessor(answer.nioBuffer(8, answer.readableBytes() - 8)), VERSION);
        assertThat(response.errorCode()).isEqualTo(Errors.REBOOTSTRAP_REQUIRED.code());
        frame.release();
        answer.release();
    }

    private static ByteBuf request(final String clusterId, final int nodeId)
    {
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData()
            .setRequestApiKey(ApiKeyIds.API_VERSIONS)
            .setRequestApiVersion(VERSION)
            .setCorrelationId(7)
            .setClientId("client-1"), ApiHeaderVersions.requestHeaderVersion(ApiKeyIds.API_VERSIONS, VERSION)).buffer();
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(new ApiVersionsRequestData()
            .setClientSoftwareName("apache-kafka-java")
            .setClientSoftwareVersion("4.4.0")
            .setClusterId(clusterId)
            .setNodeId(nodeId), VERSION).buffer();
        return Unpooled.buffer().writeInt(header.remaining() + body.remaining()).writeBytes(header).writeBytes(body);
    }
}
