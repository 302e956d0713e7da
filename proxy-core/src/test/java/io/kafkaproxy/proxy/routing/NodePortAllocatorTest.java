package io.kafkaproxy.proxy.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodePortAllocatorTest
{
    @Test
    void shouldGiveEachNodeItsPreferredPortWhenFree()
    {
        // Given
        final NodePortAllocator allocator = new NodePortAllocator(9093, 100);

        // Then: sparse and large KRaft ids map by modulo, never by addition
        assertThat(allocator.allocate(1)).isEqualTo(9094);
        assertThat(allocator.allocate(2_000_000_003)).isEqualTo(9096);
        assertThat(allocator.allocate(0)).isEqualTo(9093);
    }

    @Test
    void shouldProbeToTheNextFreePortOnACollision()
    {
        // Given
        final NodePortAllocator allocator = new NodePortAllocator(9093, 3);

        // When: 2, 5 and 8 all prefer index 2
        final int first = allocator.allocate(2);
        final int second = allocator.allocate(5);
        final int third = allocator.allocate(8);

        // Then
        assertThat(first).isEqualTo(9095);
        assertThat(second).isEqualTo(9093);
        assertThat(third).isEqualTo(9094);
        assertThat(allocator.allocate(11)).isEqualTo(NodePortAllocator.NO_PORT);
    }

    @Test
    void shouldHandleNegativeAndExtremeIds()
    {
        // Given
        final NodePortAllocator allocator = new NodePortAllocator(60000, 10);

        // Then
        assertThat(allocator.allocate(Integer.MAX_VALUE)).isBetween(60000, 60009);
        assertThat(allocator.allocate(Integer.MIN_VALUE)).isBetween(60000, 60009);
        assertThat(allocator.allocate(-1)).isEqualTo(60009);
    }
}
