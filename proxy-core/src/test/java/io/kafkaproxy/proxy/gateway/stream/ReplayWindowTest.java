package io.kafkaproxy.proxy.gateway.stream;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest
{
    private final ReplayWindow window = new ReplayWindow(3);

    @Test
    void shouldCoverTheFeedPositionOfANewPartitionAndNothingBefore()
    {
        // When
        window.addPartition(1, 40);

        // Then
        assertThat(window.hasPartition(0)).isFalse();
        assertThat(window.start(1)).isEqualTo(40);
        assertThat(window.end(1)).isEqualTo(40);
        assertThat(window.covers(1, 40)).isTrue();
        assertThat(window.covers(1, 39)).isFalse();
    }

    @Test
    void shouldKeepTheLastRecordsAndMoveTheStartPastEachOneThatFallsOut()
    {
        // Given
        window.addPartition(0, 10);

        // When
        for (long offset = 10; offset < 15; offset++)
        {
            window.append(record(0, offset));
        }

        // Then
        assertThat(window.size(0)).isEqualTo(3);
        assertThat(window.start(0)).isEqualTo(12);
        assertThat(window.end(0)).isEqualTo(15);
        assertThat(window.covers(0, 11)).isFalse();
        assertThat(offsetsFrom(0, 12)).containsExactly(12L, 13L, 14L);
    }

    @Test
    void shouldReplayFromAnOffsetInsideTheWindowWithoutTheRecordsBefore()
    {
        // Given
        window.addPartition(0, 0);
        window.append(record(0, 0));
        window.append(record(0, 1));
        window.append(record(0, 2));

        // When
        final List<Long> offsets = offsetsFrom(0, 1);

        // Then
        assertThat(offsets).containsExactly(1L, 2L);
        assertThat(offsetsFrom(0, 3)).isEmpty();
    }

    @Test
    void shouldStillCoverOffsetsWithoutRecordsThatTheFeedPassedOver()
    {
        // Given: offsets 5..7 hold transaction markers, record 8 follows.
        window.addPartition(0, 5);

        // When
        window.advanceTo(0, 8);
        window.append(record(0, 8));

        // Then
        assertThat(window.covers(0, 5)).isTrue();
        assertThat(offsetsFrom(0, 5)).containsExactly(8L);
        assertThat(window.end(0)).isEqualTo(9);
    }

    @Test
    void shouldCoverOnlyTheEndWhenItKeepsNoRecords()
    {
        // Given
        final ReplayWindow none = new ReplayWindow(0);
        none.addPartition(0, 3);

        // When
        none.append(record(0, 3));

        // Then
        assertThat(none.start(0)).isEqualTo(4);
        assertThat(none.covers(0, 3)).isFalse();
        assertThat(none.covers(0, 4)).isTrue();
    }

    @Test
    void shouldKeepPartitionsApart()
    {
        // Given
        window.addPartition(0, 0);
        window.addPartition(2, 100);

        // When
        window.append(record(2, 100));
        window.append(record(0, 0));

        // Then
        assertThat(offsetsFrom(0, 0)).containsExactly(0L);
        assertThat(offsetsFrom(2, 0)).containsExactly(100L);
    }

    private List<Long> offsetsFrom(final int partition, final long offset)
    {
        final List<FeedRecord> records = new ArrayList<>();
        window.copyFrom(partition, offset, records);
        return records.stream().map(FeedRecord::offset).toList();
    }

    static FeedRecord record(final int partition, final long offset)
    {
        return new FeedRecord("t", partition, offset, 0, null, new byte[] {(byte) offset}, new RecordHeaders());
    }
}
