package io.kafkaproxy.protocol.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameDescriptorTest
{
    @Test
    void shouldAcceptSizesUpToTheMaximum()
    {
        // When / Then
        assertThatCode(() -> FrameDescriptor.checkMessageSize(0, 100)).doesNotThrowAnyException();
        assertThatCode(() -> FrameDescriptor.checkMessageSize(100, 100)).doesNotThrowAnyException();
    }

    @Test
    void shouldRejectFrameLargerThanMaxFrameSize()
    {
        // When / Then
        assertThatThrownBy(() -> FrameDescriptor.checkMessageSize(101, 100))
            .isInstanceOf(FrameOversizedException.class)
            .hasMessage("frame larger than the maximum: frameLengthBytes=101, maxFrameLengthBytes=100")
            .extracting(e -> ((FrameRejectedException)e).reason()).isEqualTo("oversize");
    }

    @Test
    void shouldRejectNegativeFrameSize()
    {
        // When / Then
        assertThatThrownBy(() -> FrameDescriptor.checkMessageSize(-1, 100))
            .isInstanceOf(MalformedFrameException.class)
            .hasMessage("negative frame size: size=-1")
            .extracting(e -> ((FrameRejectedException)e).reason()).isEqualTo("malformed");
    }

    @Test
    void shouldDefaultToTheBrokersSocketRequestMaxBytes()
    {
        // Then
        org.assertj.core.api.Assertions.assertThat(FrameDescriptor.DEFAULT_MAX_MESSAGE_SIZE_BYTES).isEqualTo(104857600);
        org.assertj.core.api.Assertions.assertThat(FrameDescriptor.MESSAGE_OFFSET).isEqualTo(4);
    }
}
