package io.kafkaproxy.proxy.codec;

import io.netty.buffer.ByteBuf;

/**
 * The {@link FrameStreamSink} of a broker channel: where its {@link KafkaFrameDecoder} hands a response frame that
 * does not arrive whole in one read, if the frame may be streamed (cut-through) rather than assembled.
 *
 * <p>The decoder asks {@link #onFrameHead} once, with the bytes of the frame read so far; if the sink takes the frame,
 * every byte of it, head included, comes by {@link #onFrameBytes} in order, as slices of the reads, and then
 * {@link #onFrameEnd} once. Called on the channel's event loop, from inside the decoder's read.
 */
public interface ResponseStreamSink extends FrameStreamSink
{
    /**
     * Decides whether a frame streams.
     *
     * @param head        the frame's bytes read so far, size field first, at the buffer's reader index; contiguous
     *                    ({@link ByteBufViews#isContiguous}); read only, not consumed, not retained.
     * @param frameLength the frame's length, size field included; more than {@code head} holds.
     * @return true if the frame streams: its bytes then come by {@link #onFrameBytes}; false to assemble it as usual.
     */
    @Override
    boolean onFrameHead(ByteBuf head, int frameLength);

    /**
     * The next bytes of a streamed frame.
     *
     * @param bytes a retained slice of a read; ownership moves here.
     */
    @Override
    void onFrameBytes(ByteBuf bytes);

    /**
     * The streamed frame's last byte was handed over.
     */
    @Override
    void onFrameEnd();
}
