package io.kafkaproxy.proxy.mirror;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which topics a mirror copies: the {@code mirror.topics} globs ({@code *} any run of characters), and, per
 * thread, a small cache from a topic name's bytes in a request to its {@link String} and verdict, so a request
 * naming a topic seen before allocates nothing.
 *
 * <p>The globs are immutable and shared; each {@link NameCache} belongs to one thread.
 */
final class MirrorTopicMatcher
{
    private final String[] globs;

    /**
     * Compiles the globs.
     *
     * @param globs the topic patterns.
     */
    MirrorTopicMatcher(final List<String> globs)
    {
        this.globs = globs.toArray(String[]::new);
    }

    /**
     * Whether a topic is mirrored.
     *
     * @param topic the topic's name.
     * @return true if a glob matches it.
     */
    boolean matches(final String topic)
    {
        for (final String glob : globs)
        {
            if (globMatches(glob, topic))
            {
                return true;
            }
        }
        return false;
    }

    static boolean globMatches(final String glob, final String text)
    {
        // The classic linear wildcard walk: on a mismatch, let the last '*' swallow one more character.
        int g = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length())
        {
            if (g < glob.length() && glob.charAt(g) != '*' && glob.charAt(g) == text.charAt(t))
            {
                g++;
                t++;
            }
            else if (g < glob.length() && glob.charAt(g) == '*')
            {
                star = g++;
                resume = t;
            }
            else if (star >= 0)
            {
                g = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*')
        {
            g++;
        }
        return g == glob.length();
    }

    /**
     * One thread's cache of topic names read from requests, direct-mapped by a hash of the name's bytes.
     */
    final class NameCache
    {
        private static final int SLOTS = 256;

        private final byte[][] keys = new byte[SLOTS][];
        private final String[] names = new String[SLOTS];
        private final boolean[] verdicts = new boolean[SLOTS];
        private int slot;

        /**
         * Looks a name up, learning it when not cached; {@link #name()} and {@link #mirrored()} then describe it.
         *
         * @param buffer the request.
         * @param offset where the name's UTF-8 bytes start.
         * @param length their length.
         */
        void lookUp(final DirectBuffer buffer, final int offset, final int length)
        {
            int hash = length;
            for (int i = 0; i < length; i++)
            {
                hash = 31 * hash + buffer.getByte(offset + i);
            }
            slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
            final byte[] key = keys[slot];
            if (key != null && key.length == length && sameBytes(key, buffer, offset))
            {
                return;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            keys[slot] = bytes;
            names[slot] = new String(bytes, StandardCharsets.UTF_8);
            verdicts[slot] = matches(names[slot]);
        }

        String name()
        {
            return names[slot];
        }

        boolean mirrored()
        {
            return verdicts[slot];
        }

        private static boolean sameBytes(final byte[] key, final DirectBuffer buffer, final int offset)
        {
            for (int i = 0; i < key.length; i++)
            {
                if (key[i] != buffer.getByte(offset + i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
