package io.kafkaproxy.protocol.fuzz;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fuzz harness itself: it must catch what it exists to catch.
 */
class DecoderFuzzingTest
{
    private static final List<SeedFrame> SEEDS = List.of(
        new SeedFrame((short)0, (short)0, new byte[] {0, 0, 0, 4, 1, 2, 3, 4}),
        new SeedFrame((short)0, (short)0, new byte[] {0, 0, 0, 2, 9, 9}));

    @Test
    void shouldCountRejectionsAsAnAllowedOutcome()
    {
        // Given
        final FuzzTarget rejectsShortFrames = (seed, buffer, offset, length) ->
        {
            if (length < 6)
            {
                throw new MalformedFrameException("short: length=" + length);
            }
            return length;
        };

        // When
        final DecoderFuzzing.Outcome outcome = DecoderFuzzing.run("rejecting", SEEDS, rejectsShortFrames, 42L, 500);

        // Then
        assertThat(outcome.accepted() + outcome.rejected()).isEqualTo(500);
        assertThat(outcome.rejected()).isPositive();
        assertThat(outcome.accepted()).isPositive();
    }

    @Test
    void shouldFailOnAReadPastTheEndOfTheFrameNamingTheSeed()
    {
        // Given: a decoder that trusts the length field
        final FuzzTarget trustsTheLength = (seed, buffer, offset, length) ->
            buffer.getByte(offset + 4 + buffer.getInt(offset, BIG_ENDIAN) - 1);

        // When / Then
        assertThatThrownBy(() -> DecoderFuzzing.run("trusting", SEEDS, trustsTheLength, 42L, 500))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("instead of success or a rejection")
            .hasMessageContaining("decoder=trusting")
            .hasMessageContaining("seed=42")
            .hasMessageContaining("-Dfuzz.seed=42");
    }

    @Test
    void shouldFailOnADecoderThatReadsAbsoluteOffsets()
    {
        // Given: a decoder that forgets its offset
        final FuzzTarget ignoresTheOffset = (seed, buffer, offset, length) -> length == 0 ? 0 : buffer.getByte(0);

        // When / Then
        assertThatThrownBy(() -> DecoderFuzzing.run("absolute", SEEDS, ignoresTheOffset, 7L, 500))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("decoded differently at another offset");
    }

    @Test
    void shouldReplayTheSameFramesFromTheSameSeed()
    {
        // Given
        final FuzzTarget fingerprint = (seed, buffer, offset, length) ->
        {
            long hash = length;
            for (int i = 0; i < length; i++)
            {
                hash = 31 * hash + buffer.getByte(offset + i);
            }
            if (hash % 3 == 0)
            {
                throw new MalformedFrameException("one in three: hash=" + hash);
            }
            return hash;
        };

        // When
        final DecoderFuzzing.Outcome first = DecoderFuzzing.run("replay", SEEDS, fingerprint, 99L, 300);
        final DecoderFuzzing.Outcome second = DecoderFuzzing.run("replay", SEEDS, fingerprint, 99L, 300);

        // Then
        assertThat(second).isEqualTo(first);
    }
}
