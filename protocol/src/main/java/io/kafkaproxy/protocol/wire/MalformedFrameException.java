package io.kafkaproxy.protocol.wire;

/**
 * A frame whose bytes do not follow the Kafka wire format: a negative length, a field running past the end of
 * the frame, a varint that never ends.
 */
public final class MalformedFrameException extends FrameRejectedException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, in the form {@code "what went wrong: name=value, name=value"}.
     */
    public MalformedFrameException(final String message)
    {
        super(message);
    }

    @Override
    public String reason()
    {
        return "malformed";
    }
}
