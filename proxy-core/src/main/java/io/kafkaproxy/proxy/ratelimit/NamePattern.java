package io.kafkaproxy.proxy.ratelimit;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A name pattern from the quotas section: an exact name, a prefix ending in {@code *}, or {@code *} alone. Matches
 * a {@link String}, or UTF-8 bytes in place (a topic name in a request frame) without allocating. Immutable.
 */
final class NamePattern
{
    private final String text;
    private final String literal;
    private final byte[] literalBytes;
    private final boolean prefix;

    private NamePattern(final String text)
    {
        this.text = text;
        this.prefix = text.endsWith("*");
        this.literal = prefix ? text.substring(0, text.length() - 1) : text;
        this.literalBytes = literal.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a pattern the configuration has validated.
     *
     * @param text the pattern.
     * @return the pattern.
     */
    static NamePattern of(final String text)
    {
        return new NamePattern(text);
    }

    /**
     * Whether a name matches.
     *
     * @param name the name.
     * @return true if it is the exact name, or starts with the prefix.
     */
    boolean matches(final String name)
    {
        return prefix ? name.startsWith(literal) : name.equals(literal);
    }

    /**
     * Whether a name, as UTF-8 bytes, matches.
     *
     * @param buffer the bytes.
     * @param offset where the name starts.
     * @param length the name's length in bytes.
     * @return true if it is the exact name, or starts with the prefix.
     */
    boolean matches(final DirectBuffer buffer, final int offset, final int length)
    {
        if (prefix ? length < literalBytes.length : length != literalBytes.length)
        {
            return false;
        }
        for (int i = 0; i < literalBytes.length; i++)
        {
            if (buffer.getByte(offset + i) != literalBytes[i])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
