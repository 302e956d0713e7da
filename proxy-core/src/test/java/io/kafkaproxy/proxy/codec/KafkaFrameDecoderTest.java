package io.kafkaproxy.proxy.codec;

import io.kafkaproxy.protocol.wire.FrameOversizedException;
import io.kafkaproxy.protocol.wire.MalformedFrameException;
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

class KafkaFrameDecoderTest
{
    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024), new ChannelInboundHandlerAdapter()
    {
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
    void shouldPassWholeFramesOnAsSlicesOfTheRead()
    {
        // Given: two frames in one read
        final ByteBuf read = Unpooled.directBuffer().writeBytes(frame(3, 'a')).writeBytes(frame(5, 'b'));

        // When
        channel.writeInbound(read);

        // Then
        final ByteBuf first = channel.readInbound();
        final ByteBuf second = channel.readInbound();
        assertThat(bytes(first)).isEqualTo(frame(3, 'a'));
        assertThat(bytes(second)).isEqualTo(frame(5, 'b'));
        assertThat(read.refCnt()).as("the frames share the read's memory").isEqualTo(2);
        first.release();
        second.release();
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void shouldAssembleAFrameSpreadOverSeveralReads()
    {
        // Given
        final byte[] frame = frame(100, 'x');

        // When: the size field itself is split, then the body arrives in pieces
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 2));
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 2, 30));
        assertThat(channel.<Object>readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 32, frame.length - 32));

        // Then
        final ByteBuf assembled = channel.readInbound();
        assertThat(bytes(assembled)).isEqualTo(frame);
        assertThat(assembled.isDirect()).isTrue();
        assembled.release();
    }

    @Test
    void shouldAssembleAFrameWhoseSizeFieldArrivedWhole()
    {
        // Given
        final byte[] frame = frame(50, 'y');

        // When
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 10));
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 10, frame.length - 10).retain());

        // Then
        final ByteBuf assembled = channel.readInbound();
        assertThat(bytes(assembled)).isEqualTo(frame);
        assembled.release();
    }

    @Test
    void shouldRejectFrameLargerThanMaxFrameSizeBeforeAllocating()
    {
        // Given: a size of 1025 with a 1024 maximum
        final ByteBuf read = Unpooled.buffer().writeInt(1025).writeBytes(new byte[8]);

        // When
        channel.writeInbound(read);

        // Then
        assertThat(errors).singleElement().isInstanceOf(FrameOversizedException.class);
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void shouldRejectNegativeSizeAndDropEverythingAfterIt()
    {
        // Given
        final ByteBuf read = Unpooled.buffer().writeInt(-1);
        final ByteBuf later = Unpooled.wrappedBuffer(frame(3, 'a'));

        // When
        channel.writeInbound(read);
        channel.writeInbound(later);

        // Then
        assertThat(errors).singleElement().isInstanceOf(MalformedFrameException.class);
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(later.refCnt()).isZero();
    }

    @Test
    void shouldReleaseAPartialFrameWhenTheConnectionCloses()
    {
        // Given
        final byte[] frame = frame(200, 'z');
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 50));

        // When
        channel.close();

        // Then: nothing passed on, and the leak detector (paranoid in tests) finds nothing unreleased
        assertThat(channel.<Object>readInbound()).isNull();
    }

    static byte[] frame(final int messageSize, final char fill)
    {
        final ByteBuf buffer = Unpooled.buffer(4 + messageSize).writeInt(messageSize);
        for (int i = 0; i < messageSize; i++)
        {
            buffer.writeByte(fill);
        }
        final byte[] bytes = bytes(buffer);
        buffer.release();
        return bytes;
    }

    static byte[] bytes(final ByteBuf buffer)
    {
        final byte[] bytes = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), bytes);
        return bytes;
    }

    @Test
    void shouldHoldAClientToTheSaslLimitUntilItsLoginThenToTheListenerLimit()
    {
        // Given: a listener that takes 1 MiB, a client not logged in yet
        final SaslFraming framing = new SaslFraming();
        final List<Throwable> rejected = new ArrayList<>();
        final EmbeddedChannel beforeLogin = new EmbeddedChannel(
            new KafkaFrameDecoder(new FrameSizeLimit(1 << 20), null, framing), errorSink(rejected));
        final SaslFraming loggedIn = new SaslFraming();
        loggedIn.onLoggedIn();
        final EmbeddedChannel afterLogin = new EmbeddedChannel(
            new KafkaFrameDecoder(new FrameSizeLimit(1 << 20), null, loggedIn), errorSink(rejected));

        // When: each announces a message one byte over the SASL limit
        beforeLogin.writeInbound(Unpooled.directBuffer().writeInt(SaslFraming.MAX_RECEIVE_SIZE_BYTES + 1).writeByte(1));
        afterLogin.writeInbound(Unpooled.directBuffer().writeInt(SaslFraming.MAX_RECEIVE_SIZE_BYTES + 1).writeByte(1));

        // Then: refused before the login, being assembled after it
        assertThat(rejected).singleElement().isInstanceOf(FrameOversizedException.class);
        assertThat(((FrameOversizedException)rejected.get(0)).getMessage()).contains(Integer.toString(SaslFraming.MAX_RECEIVE_SIZE_BYTES));
        assertThat(afterLogin.<Object>readInbound()).isNull();
        beforeLogin.finishAndReleaseAll();
        afterLogin.finishAndReleaseAll();
    }

    private static ChannelInboundHandlerAdapter errorSink(final List<Throwable> errors)
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
            {
                errors.add(cause);
            }
        };
    }
}
