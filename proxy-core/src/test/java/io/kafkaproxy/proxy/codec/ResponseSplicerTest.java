package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.protocol.responses.MetadataResponseRewriter;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.kafkaproxy.protocol.responses.RewriteOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseSplicerTest
{
    private static final BrokerEndpointMapper MAPPER = new BrokerEndpointMapper()
    {
        @Override
        public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
        {
            return 30000 + nodeId;
        }

        @Override
        public String advertisedHost()
        {
            return "a-much-longer-advertised-host.example.com";
        }
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1000})
    void shouldBuildTheRewrittenFrameFromTheOriginalBytesAroundTheReplacement(final int throttlePadding)
    {
        // Given: a Metadata v1 response frame (header v0), optionally with a long prefix to force slicing
        final MetadataResponseData data = new MetadataResponseData().setClusterId("c").setControllerId(1);
        data.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("b1").setPort(9092));
        data.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("t-" + "x".repeat(throttlePadding)));
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(data, (short)1).buffer();
        final ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer()
            .writeInt(4 + body.remaining()).writeInt(42).writeBytes(body);
        final UnsafeBuffer view = ByteBufViews.wrapReadable(new UnsafeBuffer(0, 0), frame);
        final ResponseSplice splice = new ResponseSplice();
        final int outcome = new MetadataResponseRewriter().rewrite(view, 8, frame.readableBytes() - 8, (short)1, MAPPER, splice);

        // When
        final ByteBuf rewritten = ResponseSplicer.splice(ByteBufAllocator.DEFAULT, frame, splice);

        // Then
        assertThat(outcome).isEqualTo(RewriteOutcome.SPLICED);
        assertThat(frame.refCnt()).as("the original lives on only inside the result").isEqualTo(1);
        assertThat(rewritten.getInt(rewritten.readerIndex())).isEqualTo(rewritten.readableBytes() - 4);
        assertThat(rewritten.getInt(rewritten.readerIndex() + 4)).isEqualTo(42);
        final ByteBuffer rewrittenBody = rewritten.nioBuffer(rewritten.readerIndex() + 8, rewritten.readableBytes() - 8);
        final MetadataResponseData parsed = new MetadataResponseData(new ByteBufferAccessor(rewrittenBody), (short)1);
        assertThat(parsed.brokers().find(1).host()).isEqualTo("a-much-longer-advertised-host.example.com");
        assertThat(parsed.brokers().find(1).port()).isEqualTo(30001);
        assertThat(parsed.topics()).isEqualTo(data.topics());
        rewritten.release();
        assertThat(frame.refCnt()).isZero();
    }
}
