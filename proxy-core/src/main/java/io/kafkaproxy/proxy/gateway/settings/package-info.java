/**
 * The gateway listeners' compiled settings, part of the cluster snapshot: TLS contexts and the credentials read from
 * the files the {@code http.auth} and {@code mqtt.auth} sections name. No dependency on the gateway's runtime, so the
 * snapshot can hold them.
 */
package io.kafkaproxy.proxy.gateway.settings;
