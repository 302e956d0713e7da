/**
 * The {@code kafka-proxy} command line (picocli): parse options, build the configuration, start the proxy, wait
 * for a stop signal, return an exit code.
 *
 * <p>Exit codes: 0 stopped cleanly; 1 failed at run time (a listener could not be bound, the demo broker did
 * not start); 2 bad usage or configuration.
 */
package io.kafkaproxy.proxy.cli;
