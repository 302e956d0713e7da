package io.kafkaproxy.proxy.codec;

/**
 * A frame that had started arriving was not whole by its deadline: its peer sends too slowly, or announced bytes it
 * never sends. The frame is dropped and its connection must be closed, which frees the memory the frame held.
 *
 * <p>Carries no stack trace: it is raised by a timer, not by a bug, and only its figures say anything.
 */
public final class FrameTimeoutException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param frameLength   the frame's length, size field included.
     * @param receivedBytes how many of its bytes had arrived.
     * @param allowedMillis the time it was given.
     */
    public FrameTimeoutException(final int frameLength, final int receivedBytes, final long allowedMillis)
    {
        super("frame not whole by its deadline: frameLength=" + frameLength + ", receivedBytes=" + receivedBytes +
            ", allowedMillis=" + allowedMillis, null, false, false);
    }
}
