/**
 * The Kafka wire format as the proxy needs it, and nothing more: the length-prefixed frame, request and
 * response headers, the version tables that say how to read them, the flyweights that find and rewrite the
 * broker addresses carried in responses, and the ones that read what ACLs and quotas decide on (the topics of
 * Produce and Fetch requests and of Metadata responses, where a response's throttle time sits, the SASL user).
 *
 * <p>Everything here reads from and writes to Agrona buffers at explicit offsets in big-endian order, allocates
 * nothing per message on the forwarding path, and knows nothing of Netty or of logging. Flyweights are created
 * once per connection (or per thread) and re-wrapped for every message. Malformed input raises a
 * {@link io.kafkaproxy.protocol.wire.FrameRejectedException} naming the field; the caller closes the connection.
 *
 * <p>Kafka's generated message classes (kafka-clients) are used here only to build tables at class load: api keys,
 * header versions and where each response keeps its throttle time. The tests use them as the oracle for every
 * flyweight.
 */
package io.kafkaproxy.protocol;
