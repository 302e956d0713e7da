package io.kafkaproxy.proxy.gateway.mqtt;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MqttSessionsTest
{
    private final MqttSessions sessions = new MqttSessions();

    @Test
    void shouldResumeAPersistentSession()
    {
        // Given
        final EmbeddedChannel first = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", false, true, first);
        attached.session().holdQos2(7);
        sessions.detach(attached.session(), first, Duration.ofHours(1));

        // When
        final MqttSessions.Attachment resumed = sessions.attach("c1", false, true, new EmbeddedChannel());

        // Then
        assertThat(attached.sessionPresent()).isFalse();
        assertThat(resumed.sessionPresent()).isTrue();
        assertThat(resumed.session()).isSameAs(attached.session());
        assertThat(resumed.session().holdQos2(7)).as("packet id 7 still held").isFalse();
        assertThat(resumed.previousOwner()).isNull();
    }

    @Test
    void shouldStartAFreshSessionOnCleanStart()
    {
        // Given
        final EmbeddedChannel first = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", false, true, first);
        sessions.detach(attached.session(), first, Duration.ofHours(1));

        // When
        final MqttSessions.Attachment fresh = sessions.attach("c1", true, true, new EmbeddedChannel());

        // Then
        assertThat(fresh.sessionPresent()).isFalse();
        assertThat(fresh.session()).isNotSameAs(attached.session());
    }

    @Test
    void shouldHandTheOwnerOfATakenOverSessionBack()
    {
        // Given
        final EmbeddedChannel first = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", false, true, first);

        // When
        final EmbeddedChannel second = new EmbeddedChannel();
        final MqttSessions.Attachment takeover = sessions.attach("c1", false, true, second);
        sessions.detach(attached.session(), first, Duration.ZERO);

        // Then
        assertThat(takeover.previousOwner()).isSameAs(first);
        assertThat(takeover.sessionPresent()).isTrue();
        assertThat(sessions.contains("c1")).as("the first connection's detach leaves the new owner's session").isTrue();
    }

    @Test
    void shouldEndACleanSessionWithItsConnection()
    {
        // Given
        final EmbeddedChannel channel = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", true, false, channel);

        // When
        sessions.detach(attached.session(), channel, Duration.ofHours(1));

        // Then
        assertThat(sessions.contains("c1")).isFalse();
    }

    @Test
    void shouldExpireAPersistentSessionAfterItsInterval()
    {
        // Given
        final EmbeddedChannel channel = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", false, true, channel);

        // When
        sessions.detach(attached.session(), channel, Duration.ofMillis(1));
        channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        // Then
        assertThat(sessions.contains("c1")).isFalse();
    }

    @Test
    void shouldNotExpireASessionResumedBeforeItsInterval()
    {
        // Given
        final EmbeddedChannel channel = new EmbeddedChannel();
        final MqttSessions.Attachment attached = sessions.attach("c1", false, true, channel);
        sessions.detach(attached.session(), channel, Duration.ofMillis(1));

        // When
        sessions.attach("c1", false, true, new EmbeddedChannel());
        channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        // Then
        assertThat(sessions.contains("c1")).isTrue();
    }
}
