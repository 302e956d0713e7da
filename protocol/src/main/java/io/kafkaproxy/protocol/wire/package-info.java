/**
 * The Kafka wire format itself: the length-prefixed frame ({@link io.kafkaproxy.protocol.wire.FrameDescriptor}),
 * request and response headers ({@link io.kafkaproxy.protocol.wire.RequestHeaderFlyweight},
 * {@link io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight}), the tables that say how to read them
 * ({@link io.kafkaproxy.protocol.wire.ApiKeyIds}, {@link io.kafkaproxy.protocol.wire.ApiHeaderVersions}), the
 * exceptions a malformed or oversized frame raises, and the tools the other protocol packages build on: the
 * bounds-checked {@link io.kafkaproxy.protocol.wire.KafkaWireReader} and {@link io.kafkaproxy.protocol.wire.KafkaWireWriter}
 * for classic and compact encodings, and the {@link io.kafkaproxy.protocol.wire.TopicEntryCursor} that walks a
 * topics array. The reader, writer and cursor are public only because {@code requests}, {@code responses} and
 * {@code sasl} use them; no other module does.
 */
package io.kafkaproxy.protocol.wire;
