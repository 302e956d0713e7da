/**
 * Netty codecs between socket bytes and Kafka frames, and the one adapter from Netty buffers to Agrona buffers.
 *
 * <p>{@link io.kafkaproxy.proxy.codec.KafkaFrameDecoder} cuts the byte stream into frames (size prefix included)
 * without copying frames that arrive whole, and cuts a frame not whole by its deadline
 * ({@link io.kafkaproxy.proxy.codec.FrameTimeoutException}); on broker channels it offers a response not whole in its
 * first read to a {@link io.kafkaproxy.proxy.codec.ResponseStreamSink}, which may take it as a stream of slices
 * (cut-through); {@link io.kafkaproxy.proxy.codec.RequestHeaderDecoder} validates each
 * request header into a flyweight shared with the handlers after it (but for the raw SASL tokens a
 * {@link io.kafkaproxy.proxy.codec.SaslFraming} marks, before a terminated login); {@link io.kafkaproxy.proxy.codec.ResponseSplicer}
 * turns a {@link io.kafkaproxy.protocol.responses.ResponseSplice} into the frame sent to the client, reusing the original
 * bytes around the replaced part. {@link io.kafkaproxy.proxy.codec.ByteBufViews} is the only place a
 * {@code ByteBuf} is viewed as a {@code DirectBuffer} (and says when one cannot be, in place).
 */
package io.kafkaproxy.proxy.codec;
