package io.kafkaproxy.proxy.audit;

import org.agrona.MutableDirectBuffer;

/**
 * Writes a {@link String} as UTF-8 straight into a buffer, cut to a number of bytes at a character boundary,
 * without the byte array {@link String#getBytes} would allocate. An unpaired surrogate is written as {@code ?}.
 * Stateless.
 */
final class BoundedUtf8
{
    private BoundedUtf8()
    {
    }

    /**
     * The bytes {@link #put} writes for a string.
     *
     * @param text     the string, or null.
     * @param maxBytes the most bytes to write.
     * @return the length in bytes, the whole characters that fit; -1 for null.
     */
    static int length(final String text, final int maxBytes)
    {
        if (text == null)
        {
            return -1;
        }
        int bytes = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            final int width;
            if (isPair(text, i))
            {
                width = 4;
                i++;
            }
            else
            {
                width = width(c);
            }
            if (bytes + width > maxBytes)
            {
                break;
            }
            bytes += width;
        }
        return bytes;
    }

    /**
     * Writes the first characters of a string, as many as make up a length {@link #length} gave.
     *
     * @param buffer the buffer.
     * @param index  where to write.
     * @param text   the string.
     * @param bytes  the length to write, from {@link #length}.
     */
    static void put(final MutableDirectBuffer buffer, final int index, final String text, final int bytes)
    {
        int at = index;
        final int end = index + bytes;
        for (int i = 0; i < text.length() && at < end; i++)
        {
            final char c = text.charAt(i);
            if (isPair(text, i))
            {
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                buffer.putByte(at++, (byte)(0xF0 | (codePoint >>> 18)));
                buffer.putByte(at++, (byte)(0x80 | ((codePoint >>> 12) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | ((codePoint >>> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                buffer.putByte(at++, (byte)'?');
            }
            else if (c < 0x80)
            {
                buffer.putByte(at++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(at++, (byte)(0xC0 | (c >>> 6)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
            else
            {
                buffer.putByte(at++, (byte)(0xE0 | (c >>> 12)));
                buffer.putByte(at++, (byte)(0x80 | ((c >>> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
        }
    }

    private static boolean isPair(final String text, final int i)
    {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
    }

    private static int width(final char c)
    {
        if (c < 0x80 || Character.isSurrogate(c))
        {
            return 1;
        }
        return c < 0x800 ? 2 : 3;
    }
}
