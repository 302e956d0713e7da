/**
 * What keeps the proxy's log readable when the events behind a line are the outsider's to choose: a
 * {@link io.kafkaproxy.proxy.logging.LogRateLimiter} per kind of repeated event lets a few lines through per interval
 * and counts the rest, and the next line that goes through carries that count under the key {@code suppressed}.
 * Meters still count every event; only the lines are limited.
 */
package io.kafkaproxy.proxy.logging;
