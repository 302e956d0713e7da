/**
 * SASL termination: the credentials a listener checks logins against ({@link io.kafkaproxy.proxy.sasl.SaslCredentials},
 * read from the PLAIN users file, the SCRAM credentials file and the JWKS file when a cluster snapshot is compiled),
 * the callback handlers that let Kafka's own SASL servers check them, one connection's login exchange
 * ({@link io.kafkaproxy.proxy.sasl.SaslServerExchange}) and the proxy-wide limit on failed logins per client address.
 * No Netty here: the connection feeds the exchange the SASL bytes and writes what it answers.
 */
package io.kafkaproxy.proxy.sasl;
