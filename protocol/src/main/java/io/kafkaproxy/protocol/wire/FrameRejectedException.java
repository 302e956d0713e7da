package io.kafkaproxy.protocol.wire;

/**
 * Bytes received from a peer that cannot be a Kafka frame; the connection that sent them must be closed.
 */
public abstract class FrameRejectedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    FrameRejectedException(final String message)
    {
        super(message);
    }

    /**
     * Why the frame was rejected, as a short stable word suitable for a metric label.
     *
     * @return {@code "oversize"} or {@code "malformed"}.
     */
    public abstract String reason();
}
