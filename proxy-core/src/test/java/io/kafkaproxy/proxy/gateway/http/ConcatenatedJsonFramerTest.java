package io.kafkaproxy.proxy.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcatenatedJsonFramerTest
{
    private final List<String> objects = new ArrayList<>();
    private final ConcatenatedJsonFramer framer =
        new ConcatenatedJsonFramer(64, bytes -> objects.add(new String(bytes, StandardCharsets.UTF_8)));

    @Test
    void shouldCutConcatenatedObjectsWhereverTheChunksEnd()
    {
        // Given
        final String stream = "{\"value\":{\"type\":\"JSON\",\"data\":[1,{\"a\":\"}\"}]}} \n{\"key\":null}{\"partition_id\":2}";

        // When
        for (int i = 0; i < stream.length(); i += 3)
        {
            feed(stream.substring(i, Math.min(stream.length(), i + 3)));
        }
        framer.end();

        // Then
        assertThat(objects).containsExactly("{\"value\":{\"type\":\"JSON\",\"data\":[1,{\"a\":\"}\"}]}}", "{\"key\":null}",
            "{\"partition_id\":2}");
    }

    @Test
    void shouldRefuseAnObjectLargerThanTheLimit()
    {
        // Given
        feed("{\"ok\":1}");

        // When / Then
        assertThatThrownBy(() -> feed("{\"value\":\"" + "x".repeat(100) + "\"}"))
            .isInstanceOf(RestInputException.class)
            .hasMessage("record larger than http.maxBodyBytes=64");
        assertThat(objects).containsExactly("{\"ok\":1}");
    }

    @Test
    void shouldRefuseSomethingOtherThanObjectsAndAStreamEndingInsideOne()
    {
        // When / Then
        assertThatThrownBy(() -> feed("[1,2]")).isInstanceOf(RestInputException.class).hasMessage("each record must be a JSON object");
        final ConcatenatedJsonFramer truncated = new ConcatenatedJsonFramer(64, bytes -> { });
        final ByteBuf chunk = Unpooled.copiedBuffer("{\"value\":", StandardCharsets.UTF_8);
        truncated.feed(chunk);
        chunk.release();
        assertThatThrownBy(truncated::end).isInstanceOf(RestInputException.class)
            .hasMessage("malformed JSON: the body ended inside a record");
    }

    private void feed(final String text)
    {
        final ByteBuf chunk = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try
        {
            framer.feed(chunk);
        }
        finally
        {
            chunk.release();
        }
    }
}
