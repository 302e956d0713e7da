/**
 * TLS for the clients of the proxy's listeners: the {@code listener.tls} section compiled into a Netty
 * {@link io.netty.handler.ssl.SslContext} with its key material read and checked ({@link
 * io.kafkaproxy.proxy.tls.ClientTlsContext}, part of each cluster snapshot, so start and every reload read the files
 * again), and the per-channel handler that sees each handshake through: the peer certificate's mapped principal on
 * success, a counted and rate-limited failure otherwise ({@link io.kafkaproxy.proxy.tls.ClientTlsHandshakeHandler}).
 */
package io.kafkaproxy.proxy.tls;
