package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestHeaderDecoderTest
{
    private final RequestHeaderFlyweight header = new RequestHeaderFlyweight();
    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestHeaderDecoder(header), new ChannelInboundHandlerAdapter()
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            // The flyweight describes the frame while it is being passed on.
            assertThat(header.correlationId()).isEqualTo(77);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            errors.add(cause);
        }
    });

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldWrapTheHeaderOfEachRequestBeforePassingItOn()
    {
        // Given: Metadata v1, correlation id 77, client id "c"
        final ByteBuf frame = Unpooled.directBuffer().writeInt(11)
            .writeShort(3).writeShort(1).writeInt(77).writeShort(1).writeByte('c');

        // When
        channel.writeInbound(frame);

        // Then
        final ByteBuf passed = channel.readInbound();
        assertThat(passed).isSameAs(frame);
        assertThat(header.apiKey()).isEqualTo((short)3);
        assertThat(header.clientId()).isEqualTo("c");
        passed.release();
    }

    @Test
    void shouldReleaseARequestWhoseHeaderDoesNotParse()
    {
        // Given: a client id claiming 100 bytes
        final ByteBuf frame = Unpooled.directBuffer().writeInt(10)
            .writeShort(3).writeShort(1).writeInt(77).writeShort(100);

        // When
        channel.writeInbound(frame);

        // Then
        assertThat(errors).singleElement().isInstanceOf(MalformedFrameException.class);
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void shouldPassRawSaslTokensOnUnparsedWhileTheFramingSaysSo()
    {
        // Given: a PLAIN token, whose bytes do not parse as a header
        final SaslFraming framing = new SaslFraming();
        final EmbeddedChannel raw = new EmbeddedChannel(new RequestHeaderDecoder(new RequestHeaderFlyweight(), framing));
        framing.onRawTokensExpected();
        final ByteBuf token = Unpooled.directBuffer().writeInt(5).writeByte(0).writeByte('a').writeByte(0).writeByte('p').writeByte('w');

        // When
        raw.writeInbound(token);
        final ByteBuf passed = raw.readInbound();
        framing.onLoggedIn();
        final ByteBuf notAHeader = Unpooled.directBuffer().writeInt(10).writeShort(3).writeShort(1).writeInt(77).writeShort(100);

        // Then: the token passed as it was; once logged in, a frame is a request again, and this one does not parse
        assertThat(passed).isSameAs(token);
        passed.release();
        assertThatThrownBy(() -> raw.writeInbound(notAHeader)).isInstanceOf(MalformedFrameException.class);
        assertThat(raw.<Object>readInbound()).isNull();
        raw.finishAndReleaseAll();
    }
}
