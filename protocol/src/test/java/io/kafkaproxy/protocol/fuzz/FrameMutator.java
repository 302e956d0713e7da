package io.kafkaproxy.protocol.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a valid frame into a hostile one: bit flips, interesting values written over length fields, varints that
 * never end, truncations, extensions, cut and duplicated ranges, splices of two frames, or plain random bytes.
 *
 * <p>Each call stacks one to four mutations, so a frame that survives one check meets the next with another field
 * broken. Deterministic for a given random source. Stateless; safe to share.
 */
public final class FrameMutator
{
    private static final int MAX_RANDOM_FRAME_BYTES = 300;
    private static final int[] INTERESTING_INTS = {
        0, 1, 2, 3, 4, 7, 8, 16, 127, 128, 255, 256, 0x3FFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x7FFFFFFF, 0x80000000, 0x40000000, 100 << 20, -1, -2, -3, -128, -32768,
    };
    private static final int MUTATIONS = 12;

    private FrameMutator()
    {
    }

    /**
     * A mutated copy of a frame; the frame itself is not changed.
     *
     * @param random the random source, one per frame so that a frame can be replayed from its seed alone.
     * @param frame  the valid frame to start from.
     * @param corpus other valid frames, for splices.
     * @return the mutated bytes, possibly empty.
     */
    public static byte[] mutate(final SplittableRandom random, final byte[] frame, final List<byte[]> corpus)
    {
        final int kind = random.nextInt(32);
        if (kind == 0)
        {
            return frame.clone();
        }
        if (kind == 1)
        {
            return randomBytes(random, random.nextInt(MAX_RANDOM_FRAME_BYTES));
        }
        byte[] bytes = frame.clone();
        final int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++)
        {
            bytes = mutateOnce(random, bytes, corpus);
        }
        return bytes;
    }

    private static byte[] mutateOnce(final SplittableRandom random, final byte[] bytes, final List<byte[]> corpus)
    {
        if (bytes.length == 0)
        {
            return randomBytes(random, 1 + random.nextInt(16));
        }
        final int at = random.nextInt(bytes.length);
        switch (random.nextInt(MUTATIONS))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.nextInt(8));
                return bytes;
            case 1:
                bytes[at] = (byte)INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                return bytes;
            case 2:
                putShort(bytes, at, (short)interestingLength(random, bytes.length - at));
                return bytes;
            case 3:
                putInt(bytes, at, interestingLength(random, bytes.length - at));
                return bytes;
            case 4:
                return corruptVarint(random, bytes, at);
            case 5:
                return Arrays.copyOf(bytes, at);
            case 6:
                return concat(bytes, randomBytes(random, 1 + random.nextInt(64)));
            case 7:
                return deleteRange(bytes, at, 1 + random.nextInt(Math.min(16, bytes.length - at)));
            case 8:
                return insert(bytes, at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(16))));
            case 9:
                return splice(random, bytes, at, corpus);
            case 10:
                return nudgeLength(random, bytes, at);
            default:
                bytes[at] = (byte)random.nextInt(256);
                return bytes;
        }
    }

    private static int interestingLength(final SplittableRandom random, final int remaining)
    {
        if (random.nextBoolean())
        {
            return INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
        }
        // Off by a little from what would fit: the classic length-check slip.
        return remaining + random.nextInt(9) - 4;
    }

    private static byte[] corruptVarint(final SplittableRandom random, final byte[] bytes, final int at)
    {
        final int length = Math.min(bytes.length - at, 1 + random.nextInt(7));
        for (int i = 0; i < length; i++)
        {
            // Continuation bit set on every byte: a varint that never ends within the frame, or one over 32 bits.
            bytes[at + i] = (byte)(0x80 | random.nextInt(128));
        }
        if (random.nextBoolean() && at + length < bytes.length)
        {
            bytes[at + length] = (byte)random.nextInt(16);
        }
        return bytes;
    }

    private static byte[] nudgeLength(final SplittableRandom random, final byte[] bytes, final int at)
    {
        // Moves a small count or length a little up or down, keeping the rest of the frame valid around it.
        final int delta = random.nextBoolean() ? 1 + random.nextInt(3) : -(1 + random.nextInt(3));
        if (at + 1 < bytes.length && random.nextBoolean())
        {
            final int value = ((bytes[at] & 0xFF) << 8 | (bytes[at + 1] & 0xFF)) + delta;
            putShort(bytes, at, (short)value);
        }
        else
        {
            bytes[at] = (byte)(bytes[at] + delta);
        }
        return bytes;
    }

    private static byte[] splice(final SplittableRandom random, final byte[] bytes, final int at, final List<byte[]> corpus)
    {
        final byte[] other = corpus.get(random.nextInt(corpus.size()));
        final int from = other.length == 0 ? 0 : random.nextInt(other.length);
        return concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(other, from, other.length));
    }

    private static void putShort(final byte[] bytes, final int at, final short value)
    {
        bytes[at] = (byte)(value >> 8);
        if (at + 1 < bytes.length)
        {
            bytes[at + 1] = (byte)value;
        }
    }

    private static void putInt(final byte[] bytes, final int at, final int value)
    {
        for (int i = 0; i < 4 && at + i < bytes.length; i++)
        {
            bytes[at + i] = (byte)(value >> (24 - 8 * i));
        }
    }

    private static byte[] deleteRange(final byte[] bytes, final int at, final int length)
    {
        final byte[] result = new byte[bytes.length - length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(bytes, at + length, result, at, bytes.length - at - length);
        return result;
    }

    private static byte[] insert(final byte[] bytes, final int at, final byte[] inserted)
    {
        final byte[] result = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(inserted, 0, result, at, inserted.length);
        System.arraycopy(bytes, at, result, at + inserted.length, bytes.length - at);
        return result;
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] result = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }
}
