/**
 * The HTTP gateway: its listener ({@link io.kafkaproxy.proxy.gateway.http.HttpGatewayServer}: HTTP/1.1 with
 * keep-alive, h2c, h2 over TLS), the route table and dispatcher every endpoint is served through
 * ({@link io.kafkaproxy.proxy.gateway.http.HttpRouter}, {@link io.kafkaproxy.proxy.gateway.http.HttpRoute}: the seam
 * by which {@code gateway.stream} adds its SSE and WebSocket endpoints), and the Confluent REST Proxy v2 and v3
 * endpoints that produce into Kafka and describe its topics.
 *
 * <p>A request goes: route match (404/405) → identity ({@link io.kafkaproxy.proxy.gateway.http.HttpRequestAuthenticator},
 * 401) → the route, which checks the ACLs and quotas of its topic (403, 429) and reads the body. Every answer is
 * written on the request channel's event loop; Kafka's acknowledgements come back to it from producer threads.
 */
package io.kafkaproxy.proxy.gateway.http;
