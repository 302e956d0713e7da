package io.kafkaproxy.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaFrameDecoderStreamReadTest
{
    private static final int MESSAGE_BYTES = 600_000;
    private static final int LARGEST_STREAMED_READ = 256 * 1024;

    private final StreamingSink sink = new StreamingSink();
    private final KafkaFrameDecoder decoder = new KafkaFrameDecoder(new FrameSizeLimit(1 << 20), null, sink);
    private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldLeaveTheReadSizeToTheGuessWhenNothingStreams()
    {
        // Given a decoder between frames
        // When / Then
        assertThat(decoder.nextReadBytes()).isZero();
    }

    @Test
    void shouldAskForReadsAsLargeAsTheRestOfAStreamedFrameUpToItsBound()
    {
        // Given: the head of a frame larger than one read, which the sink streams
        channel.writeInbound(Unpooled.directBuffer().writeInt(MESSAGE_BYTES).writeZero(100));

        // When
        final int whileMuchIsLeft = decoder.nextReadBytes();
        channel.writeInbound(Unpooled.directBuffer().writeZero(MESSAGE_BYTES - 100 - 1000));
        final int nearTheEnd = decoder.nextReadBytes();
        channel.writeInbound(Unpooled.directBuffer().writeZero(1000));

        // Then
        assertThat(whileMuchIsLeft).isEqualTo(LARGEST_STREAMED_READ);
        assertThat(nearTheEnd).isEqualTo(1000);
        assertThat(sink.ended).isTrue();
        assertThat(sink.bytesStreamed).isEqualTo(4 + MESSAGE_BYTES);
        assertThat(decoder.nextReadBytes()).as("the frame is over").isZero();
    }

    /**
     * Streams every frame and counts its bytes.
     */
    private static final class StreamingSink implements ResponseStreamSink
    {
        private long bytesStreamed;
        private boolean ended;

        @Override
        public boolean onFrameHead(final ByteBuf head, final int frameLength)
        {
            return true;
        }

        @Override
        public void onFrameBytes(final ByteBuf bytes)
        {
            bytesStreamed += bytes.readableBytes();
            bytes.release();
        }

        @Override
        public void onFrameEnd()
        {
            ended = true;
        }
    }
}
