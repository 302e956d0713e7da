package io.kafkaproxy.protocol.wire;

/**
 * A frame declared a length above the configured maximum; raised before any memory is reserved for it.
 */
public final class FrameOversizedException extends FrameRejectedException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for one rejected length.
     *
     * @param frameLengthBytes    the length the frame declared.
     * @param maxFrameLengthBytes the configured maximum.
     */
    public FrameOversizedException(final int frameLengthBytes, final int maxFrameLengthBytes)
    {
        super("frame larger than the maximum: frameLengthBytes=" + frameLengthBytes +
            ", maxFrameLengthBytes=" + maxFrameLengthBytes);
    }

    @Override
    public String reason()
    {
        return "oversize";
    }
}
