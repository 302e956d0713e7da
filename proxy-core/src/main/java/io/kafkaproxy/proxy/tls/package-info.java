/**
 * TLS material compiled from the configuration when a cluster snapshot is compiled (at start and at every reload),
 * read into Netty {@code SslContext}s with OpenSSL where it loads. Client side ({@code listener.tls}):
 * {@link io.kafkaproxy.proxy.tls.ClientTlsContext} (PEM, encrypted PEM, PKCS#12 and JKS material read and checked)
 * and the per-channel handler that sees each handshake through: the peer certificate's mapped principal on success,
 * a counted and rate-limited failure otherwise ({@link io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler}). Broker
 * side ({@code upstream.tls}): {@link io.kafkaproxy.proxy.tls.BrokerTlsContext} (the client context and the handler
 * of each broker channel) and {@link io.kafkaproxy.proxy.tls.BrokerTlsHandshakeFailures} (the reason label of a
 * failed handshake). Both sides read their files with one loader, {@code TlsMaterialLoader} over {@code PemFiles}:
 * the same checks (key matching its certificate, certificate valid now) and errors naming the YAML key and the file.
 */
package io.kafkaproxy.proxy.tls;
