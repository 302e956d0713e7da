/**
 * The SASL exchange as far as the proxy follows it without taking part: flyweights over the SaslHandshake and
 * SaslAuthenticate request bodies, and {@link io.kafkaproxy.protocol.sasl.SaslUsernames}, which reads the user name
 * out of a client's first PLAIN or SCRAM token exactly as the broker would, so that ACLs and quotas know the
 * principal. Tokens hold passwords and proofs: they are scanned in place, never copied, kept or logged.
 */
package io.kafkaproxy.protocol.sasl;
