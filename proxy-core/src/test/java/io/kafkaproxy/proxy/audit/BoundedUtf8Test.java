package io.kafkaproxy.proxy.audit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedUtf8Test
{
    @Test
    void shouldWriteWhatStringGetBytesWrites()
    {
        for (final String text : new String[] {"", "orders", "jörg", "日本語のトピック", "emoji-😀-end", "mixed ß€𝄞x"})
        {
            // Given
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);

            // When
            final int length = BoundedUtf8.length(text, 128);
            BoundedUtf8.put(buffer, 3, text, length);

            // Then
            assertThat(buffer.getStringWithoutLengthUtf8(3, length)).isEqualTo(text);
            assertThat(length).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void shouldCutAtTheLastWholeCharacterThatFits()
    {
        // Given: € takes three bytes, 😀 four
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);

        // When
        final int euros = BoundedUtf8.length("a€€", 6);
        final int emoji = BoundedUtf8.length("ab😀", 5);
        BoundedUtf8.put(buffer, 0, "a€€", euros);

        // Then
        assertThat(euros).isEqualTo(4);
        assertThat(emoji).isEqualTo(2);
        assertThat(buffer.getStringWithoutLengthUtf8(0, euros)).isEqualTo("a€");
    }

    @Test
    void shouldWriteAnUnpairedSurrogateAsAQuestionMark()
    {
        // Given
        final String text = "a\uD83Db";
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);

        // When
        final int length = BoundedUtf8.length(text, 8);
        BoundedUtf8.put(buffer, 0, text, length);

        // Then
        assertThat(buffer.getStringWithoutLengthUtf8(0, length)).isEqualTo("a?b");
        assertThat(BoundedUtf8.length(null, 8)).isEqualTo(-1);
    }
}
