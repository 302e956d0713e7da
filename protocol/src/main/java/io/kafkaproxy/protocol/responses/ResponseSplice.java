package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.wire.KafkaWireWriter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * How to turn a response into its rewritten form without copying the parts that do not change:
 * keep the bytes before {@link #replaceFromOffset()}, put {@link #replacement()} in place of the bytes up to
 * {@link #replaceToOffset()}, keep the rest.
 *
 * <pre>
 *  original:  | size | header | ...kept... | replaced | ...kept... |
 *  rewritten: | size'| header | ...kept... | replacement | ...kept... |
 * </pre>
 *
 * The size field must be patched by the caller. One instance per thread, reused for every response; the
 * replacement buffer grows to the largest replacement seen and stays that size.
 */
public final class ResponseSplice
{
    private static final int INITIAL_CAPACITY = 512;

    private final ExpandableDirectByteBuffer replacement = new ExpandableDirectByteBuffer(INITIAL_CAPACITY);
    private final KafkaWireWriter writer = new KafkaWireWriter();
    private int replaceFromOffset;
    private int replaceToOffset;
    private int replacementLength;

    /**
     * Starts a replacement for the bytes from an offset on.
     *
     * @param replaceFromOffset absolute offset of the first replaced byte in the response buffer.
     * @return a writer positioned at the start of the replacement.
     */
    KafkaWireWriter begin(final int replaceFromOffset)
    {
        this.replaceFromOffset = replaceFromOffset;
        this.replaceToOffset = replaceFromOffset;
        this.replacementLength = 0;
        return writer.wrap(replacement, 0);
    }

    /**
     * Ends the replacement.
     *
     * @param replaceToOffset absolute offset just past the last replaced byte in the response buffer.
     */
    void end(final int replaceToOffset)
    {
        this.replaceToOffset = replaceToOffset;
        this.replacementLength = writer.position();
    }

    /**
     * Absolute offset of the first replaced byte in the response buffer.
     *
     * @return the offset.
     */
    public int replaceFromOffset()
    {
        return replaceFromOffset;
    }

    /**
     * Absolute offset just past the last replaced byte in the response buffer.
     *
     * @return the offset.
     */
    public int replaceToOffset()
    {
        return replaceToOffset;
    }

    /**
     * The bytes that go in place of the replaced range, from offset 0.
     *
     * @return the replacement buffer; valid until the next rewrite on this thread.
     */
    public DirectBuffer replacement()
    {
        return replacement;
    }

    /**
     * The number of replacement bytes.
     *
     * @return the replacement length.
     */
    public int replacementLength()
    {
        return replacementLength;
    }

    /**
     * How much the message grows (or shrinks, if negative) by the splice.
     *
     * @return replacement length minus replaced length.
     */
    public int lengthDelta()
    {
        return replacementLength - (replaceToOffset - replaceFromOffset);
    }
}
