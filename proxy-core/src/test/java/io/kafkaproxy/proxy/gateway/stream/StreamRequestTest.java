package io.kafkaproxy.proxy.gateway.stream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamRequestTest
{
    private final HttpHeaders headers = new DefaultHttpHeaders();

    @Test
    void shouldStartAtTheLatestOffsetsByDefault()
    {
        // When
        final StreamRequest request = parse("/v1/stream/t");

        // Then
        assertThat(request.start()).isEqualTo(FeedStart.latest());
        assertThat(request.group()).isNull();
        assertThat(request.binary()).isFalse();
    }

    @Test
    void shouldReadEarliestOffsetsGroupAndFormat()
    {
        // When
        final StreamRequest earliest = parse("/v1/stream/t?from=earliest&group=g&format=binary");
        final StreamRequest offsets = parse("/v1/stream/t?offsets=0:15,2:7");

        // Then
        assertThat(earliest.start()).isEqualTo(FeedStart.earliest());
        assertThat(earliest.group()).isEqualTo("g");
        assertThat(earliest.binary()).isTrue();
        assertThat(offsets.start()).isEqualTo(FeedStart.offsets(Map.of(0, 15L, 2, 7L)));
    }

    @Test
    void shouldResumeFromTheLastEventIdHeaderBeforeAnyQuery()
    {
        // Given
        headers.set(StreamRequest.LAST_EVENT_ID, "0:16,1:22");

        // When
        final StreamRequest request = parse("/v1/stream/t?from=earliest&lastEventId=0:1");

        // Then
        assertThat(request.start()).isEqualTo(FeedStart.offsets(Map.of(0, 16L, 1, 22L)));
    }

    @Test
    void shouldResumeFromTheLastEventIdQueryWithoutTheHeader()
    {
        // When
        final StreamRequest request = parse("/v1/stream/t?lastEventId=3:9");

        // Then
        assertThat(request.start()).isEqualTo(FeedStart.offsets(Map.of(3, 9L)));
    }

    @Test
    void shouldLetAGroupResumeFromItsCommitsWhateverLastEventIdSays()
    {
        // Given
        headers.set(StreamRequest.LAST_EVENT_ID, "0:16");

        // When
        final StreamRequest request = parse("/v1/stream/t?group=g&from=earliest");

        // Then
        assertThat(request.group()).isEqualTo("g");
        assertThat(request.start()).isEqualTo(FeedStart.earliest());
    }

    @Test
    void shouldRefuseMalformedParameters()
    {
        // Then
        assertThatThrownBy(() -> parse("/v1/stream/t?from=yesterday")).hasMessageContaining("from must be latest or earliest");
        assertThatThrownBy(() -> parse("/v1/stream/t?offsets=0-15")).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> parse("/v1/stream/t?offsets=0:1,0:2")).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> parse("/v1/stream/t?offsets=-1:2")).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> parse("/v1/stream/t?offsets=")).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> parse("/v1/stream/t?format=xml")).hasMessageContaining("format");
        assertThatThrownBy(() -> parse("/v1/stream/t?group=g&offsets=0:1")).hasMessageContaining("group");
        assertThatThrownBy(() -> parse("/v1/stream/t?from=latest&from=earliest")).hasMessageContaining("more than once");
    }

    private StreamRequest parse(final String uri)
    {
        return StreamRequest.parse("t", new QueryStringDecoder(uri), headers);
    }
}
