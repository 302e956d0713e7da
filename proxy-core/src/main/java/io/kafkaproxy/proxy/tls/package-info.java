/**
 * TLS material compiled from the configuration when a cluster snapshot is compiled (at start and at every reload):
 * PEM certificates and PKCS#8 keys, PKCS#12 and JKS stores, read into Netty {@code SslContext}s with OpenSSL where it
 * loads. Broker side ({@code upstream.tls}): {@link io.kafkaproxy.proxy.tls.BrokerTlsContext} (the client context
 * and the handler of each broker channel), {@code BrokerTlsMaterialLoader} (its files, with errors naming the YAML
 * key and the file) and {@link io.kafkaproxy.proxy.tls.BrokerTlsHandshakeFailures} (the reason label of a failed
 * handshake). Nothing here touches a channel's state; every type is immutable or stateless.
 */
package io.kafkaproxy.proxy.tls;
