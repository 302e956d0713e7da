/**
 * The proxy's configuration: one YAML file mapped onto immutable records, one record per section.
 *
 * <p>Record components carry the YAML key names; defaults are applied by each record's creator, and
 * validation happens in the compact constructor with messages that start with the YAML path of the bad value.
 * Sizes accept {@code 64MiB}-style units and end in {@code Bytes}; durations accept {@code 30s}-style units.
 * {@link io.kafkaproxy.proxy.config.ConfigParser} reads the file strictly: unknown or duplicate keys fail.
 * Records hold no Netty types, threads or I/O. A whole configuration is built with
 * {@link io.kafkaproxy.proxy.config.ProxyConfig#builder} (or changed with {@code toBuilder()}), which fills in the
 * sections left unset and validates them together.
 */
package io.kafkaproxy.proxy.config;
