package io.kafkaproxy.proxy.cli;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SignalRelayTest
{
    private final SignalRelay relay = new SignalRelay();
    private final AtomicInteger reloads = new AtomicInteger();

    @Test
    void shouldApplyReloadsRequestedBeforeReadyOnceWhenReady()
    {
        // Given
        relay.onSignal("HUP");
        relay.onSignal("USR1");
        relay.onSignal("HUP");

        // When
        relay.onReady(reloads::incrementAndGet);

        // Then
        assertThat(reloads).hasValue(1);
    }

    @Test
    void shouldNotReloadWhenReadyIfNoneWasRequested()
    {
        // When
        relay.onReady(reloads::incrementAndGet);

        // Then
        assertThat(reloads).hasValue(0);
    }

    @Test
    void shouldHandEachReloadOnOnceReady()
    {
        // Given
        relay.onReady(reloads::incrementAndGet);

        // When
        relay.onSignal("HUP");
        relay.onSignal("USR1");

        // Then
        assertThat(reloads).hasValue(2);
    }

    @Test
    void shouldRememberAStopRequestedBeforeAnyoneWaits()
    {
        // When
        relay.onSignal("TERM");

        // Then
        assertThat(relay.stopRequested()).isTrue();
    }

    @Test
    void shouldDropReloadsOnceAStopIsRequested()
    {
        // Given
        relay.onSignal("HUP");
        relay.onSignal("INT");

        // When
        relay.onReady(reloads::incrementAndGet);
        relay.onSignal("HUP");

        // Then
        assertThat(reloads).hasValue(0);
        assertThat(relay.stopRequested()).isTrue();
    }

    @Test
    void shouldNotStopOnAReloadSignal()
    {
        // When
        relay.onSignal("HUP");
        relay.onSignal("USR1");

        // Then
        assertThat(relay.stopRequested()).isFalse();
    }
}
