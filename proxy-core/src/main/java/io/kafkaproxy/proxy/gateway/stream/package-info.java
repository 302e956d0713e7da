/**
 * Live subscriptions: the shared fan-out ({@link io.kafkaproxy.proxy.gateway.stream.TopicFeeds}, one per upstream
 * cluster; one {@link io.kafkaproxy.proxy.gateway.stream.TopicFeed} per topic with one consumer thread and a replay
 * window per partition), the private catch-up and consumer-group readers, and the endpoints that serve it over
 * Server-Sent Events and WebSocket. Records are handed to each subscriber on its own event loop; a subscriber never
 * owns a thread or a queue of its own: what waits for it waits in its channel, bounded by the slow-subscriber rule.
 */
package io.kafkaproxy.proxy.gateway.stream;
