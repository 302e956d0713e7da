/**
 * The {@code kafka-proxy} command line (picocli): parse options, build the configuration, start the proxy, wait
 * for a stop signal, return an exit code.
 *
 * <p>{@code SignalRelay} owns the process's signals from the first statement of {@code main} and hands their
 * requests on; {@code ProxyRunner} runs one proxy from start to stop; {@code SystemdNotifier} tells systemd
 * ({@code Type=notify}) when the proxy serves and when it stops; {@code ClassPathOpener} opens the class path's
 * jars on a second thread while the command line is parsed (start-up time).
 *
 * <p>Exit codes: 0 stopped cleanly; 1 failed at run time (a listener could not be bound, the demo broker did
 * not start); 2 bad usage or configuration.
 */
package io.kafkaproxy.proxy.cli;
