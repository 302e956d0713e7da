package io.kafkaproxy.protocol.fuzz;

import io.kafkaproxy.protocol.wire.FrameRejectedException;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one decoder over mutated frames and fails on any outcome but success or {@link FrameRejectedException}.
 *
 * <p>Each frame is decoded twice: at offset 0 of a buffer exactly its size, where a read outside the frame on
 * either side trips Agrona's bounds check, and at a random offset behind random bytes, where the result must be the
 * same, so that no decoder mixes absolute and relative offsets. Each frame has its own random source, derived from
 * the campaign seed, the decoder's name and the frame's index: a failure names all three, and replaying the same
 * seed replays the same frames.
 */
public final class DecoderFuzzing
{
    /** The system property giving the campaign seed. */
    public static final String SEED_PROPERTY = "fuzz.seed";
    /** The system property giving the number of frames per decoder. */
    public static final String FRAMES_PROPERTY = "fuzz.frames";
    /** The system property giving the number of frames for all decoders together, split evenly. */
    public static final String TOTAL_FRAMES_PROPERTY = "fuzz.totalFrames";
    /** The seed used when none is given, so that CI runs the same frames every time. */
    public static final long DEFAULT_SEED = 0x5EED_0016L;
    /** Frames per decoder when no count is given: a few thousand, about a second for every decoder together. */
    public static final int DEFAULT_FRAMES = 3000;

    private static final long REJECTED = Long.MIN_VALUE;
    private static final int MAX_PREFIX_BYTES = 24;
    private static final int MAX_HEX_BYTES = 512;

    private DecoderFuzzing()
    {
    }

    /**
     * The campaign seed: {@value #SEED_PROPERTY} if set, else {@link #DEFAULT_SEED}.
     *
     * @return the seed.
     */
    public static long seed()
    {
        final String seed = System.getProperty(SEED_PROPERTY);
        return seed == null || seed.isBlank() ? DEFAULT_SEED : Long.decode(seed.trim());
    }

    /**
     * Frames per decoder: {@value #TOTAL_FRAMES_PROPERTY} split between the decoders if set, else
     * {@value #FRAMES_PROPERTY} if set, else {@link #DEFAULT_FRAMES}.
     *
     * @param decoders how many decoders share the total.
     * @return the count.
     */
    public static int framesPerDecoder(final int decoders)
    {
        final String total = System.getProperty(TOTAL_FRAMES_PROPERTY);
        if (total != null && !total.isBlank())
        {
            return (int)((Long.parseLong(total.trim()) + decoders - 1) / decoders);
        }
        final String frames = System.getProperty(FRAMES_PROPERTY);
        return frames == null || frames.isBlank() ? DEFAULT_FRAMES : Integer.parseInt(frames.trim());
    }

    /**
     * What a campaign saw.
     *
     * @param decoder  the decoder's name.
     * @param seed     the campaign seed.
     * @param frames   frames decoded (each twice).
     * @param accepted frames the decoder read without complaint.
     * @param rejected frames it rejected with {@link FrameRejectedException}.
     */
    public record Outcome(String decoder, long seed, int frames, int accepted, int rejected)
    {
        @Override
        public String toString()
        {
            return "FUZZ decoder=" + decoder + " frames=" + frames + " accepted=" + accepted + " rejected=" + rejected +
                " seed=" + seed;
        }
    }

    /**
     * Fuzzes one decoder.
     *
     * @param decoder the decoder's name, part of every frame's seed.
     * @param seeds   the valid frames to mutate.
     * @param target  the decoder.
     * @param seed    the campaign seed.
     * @param frames  how many mutated frames to decode.
     * @return the counts.
     * @throws AssertionError on the first frame that ends in another exception, or decodes differently at another
     *                        offset, naming the seed, the frame index and the bytes.
     */
    public static Outcome run(final String decoder, final List<SeedFrame> seeds, final FuzzTarget target, final long seed,
        final int frames)
    {
        final List<byte[]> corpus = seeds.stream().map(SeedFrame::bytes).toList();
        final long decoderSeed = seed ^ ((long)decoder.hashCode() << 32);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < frames; i++)
        {
            final SplittableRandom random = new SplittableRandom(decoderSeed + 0x9E3779B97F4A7C15L * (i + 1));
            final SeedFrame start = seeds.get(random.nextInt(seeds.size()));
            final byte[] bytes = FrameMutator.mutate(random, start.bytes(), corpus);
            final long atZero = decodeAt(decoder, seed, i, target, start, bytes, 0, random);
            final int prefix = 1 + random.nextInt(MAX_PREFIX_BYTES);
            final long atOffset = decodeAt(decoder, seed, i, target, start, bytes, prefix, random);
            if (atZero != atOffset)
            {
                throw new AssertionError(failure("decoded differently at another offset", decoder, seed, i, start, bytes,
                    prefix) + ", fingerprintAtZero=" + atZero + ", fingerprintAtOffset=" + atOffset);
            }
            if (atZero == REJECTED)
            {
                rejected++;
            }
            else
            {
                accepted++;
            }
        }
        return new Outcome(decoder, seed, frames, accepted, rejected);
    }

    private static long decodeAt(final String decoder, final long seed, final int frame, final FuzzTarget target,
        final SeedFrame start, final byte[] bytes, final int offset, final SplittableRandom random)
    {
        // The buffer ends where the frame ends, so reading one byte past it throws instead of reading junk.
        final byte[] backing = new byte[offset + bytes.length];
        for (int i = 0; i < offset; i++)
        {
            backing[i] = (byte)random.nextInt(256);
        }
        System.arraycopy(bytes, 0, backing, offset, bytes.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        try
        {
            final long fingerprint = target.decode(start, buffer, offset, bytes.length);
            return fingerprint == REJECTED ? REJECTED + 1 : fingerprint;
        }
        catch (final FrameRejectedException expected)
        {
            return REJECTED;
        }
        catch (final Throwable unexpected)
        {
            throw new AssertionError(failure(unexpected.getClass().getName() + " instead of success or a rejection",
                decoder, seed, frame, start, bytes, offset), unexpected);
        }
    }

    private static String failure(final String what, final String decoder, final long seed, final int frame,
        final SeedFrame start, final byte[] bytes, final int offset)
    {
        return what + ": decoder=" + decoder + ", seed=" + seed + ", frame=" + frame + ", offset=" + offset +
            ", mutatedFrom=[" + start + "], length=" + bytes.length + ", bytes=" + hex(bytes) +
            " (replay: -D" + SEED_PROPERTY + "=" + seed + " -D" + FRAMES_PROPERTY + "=" + (frame + 1) + ")";
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, MAX_HEX_BYTES); i++)
        {
            hex.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return bytes.length > MAX_HEX_BYTES ? hex.append("...").toString() : hex.toString();
    }
}
