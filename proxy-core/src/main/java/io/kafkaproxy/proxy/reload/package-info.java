/**
 * Changing a running proxy: configuration reload on a signal, and log levels.
 */
package io.kafkaproxy.proxy.reload;
