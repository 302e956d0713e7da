package io.kafkaproxy.proxy.mirror;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MirrorTopicMatcherTest
{
    private final MirrorTopicMatcher matcher = new MirrorTopicMatcher(List.of("orders", "payments-*", "*.audit", "a*b*c"));

    @Test
    void shouldMatchTopicsByGlob()
    {
        // When / Then
        assertThat(matcher.matches("orders")).isTrue();
        assertThat(matcher.matches("orders-eu")).isFalse();
        assertThat(matcher.matches("payments-")).isTrue();
        assertThat(matcher.matches("payments-eu")).isTrue();
        assertThat(matcher.matches("payment")).isFalse();
        assertThat(matcher.matches("billing.audit")).isTrue();
        assertThat(matcher.matches("billing.audits")).isFalse();
        assertThat(matcher.matches("axxbyyc")).isTrue();
        assertThat(matcher.matches("axxbyy")).isFalse();
    }

    @Test
    void shouldReturnTheCachedNameOfTheSameBytesAndTellTheVerdict()
    {
        // Given
        final MirrorTopicMatcher.NameCache cache = matcher.new NameCache();
        final UnsafeBuffer first = new UnsafeBuffer("xxpayments-euxx".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer second = new UnsafeBuffer("payments-eu".getBytes(StandardCharsets.UTF_8));

        // When
        cache.lookUp(first, 2, 11);
        final String learnt = cache.name();
        cache.lookUp(second, 0, 11);

        // Then
        assertThat(cache.name()).isSameAs(learnt).isEqualTo("payments-eu");
        assertThat(cache.mirrored()).isTrue();
        cache.lookUp(new UnsafeBuffer("inventory".getBytes(StandardCharsets.UTF_8)), 0, 9);
        assertThat(cache.name()).isEqualTo("inventory");
        assertThat(cache.mirrored()).isFalse();
    }
}
