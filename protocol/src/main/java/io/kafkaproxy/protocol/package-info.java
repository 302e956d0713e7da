/**
 * The Kafka wire format as the proxy needs it, and nothing more, in four packages:
 * <ul>
 *   <li>{@link io.kafkaproxy.protocol.wire}: the length-prefixed frame, request and response headers, the version
 *       tables that say how to read them, the bounds-checked reader and writer, and the topic-entry cursor the
 *       flyweights below share;</li>
 *   <li>{@link io.kafkaproxy.protocol.requests}: the Produce and Fetch request bodies, read for the topics ACLs and
 *       quotas decide on;</li>
 *   <li>{@link io.kafkaproxy.protocol.responses}: the rewrite of the broker addresses and api versions that
 *       responses carry, the topics of Metadata responses and where a response keeps its throttle time;</li>
 *   <li>{@link io.kafkaproxy.protocol.sasl}: the SASL requests and the user name in a client's first token.</li>
 * </ul>
 *
 * <p>Everything here reads from and writes to Agrona buffers at explicit offsets in big-endian order, allocates
 * nothing per message on the forwarding path, and knows nothing of Netty or of logging. Flyweights are created
 * once per connection (or per thread) and re-wrapped for every message. Malformed input raises a
 * {@link io.kafkaproxy.protocol.wire.FrameRejectedException} naming the field; the caller closes the connection.
 * A class is public only when another module uses it, or, for the reader, writer and cursor of {@code wire},
 * another package of this one.
 *
 * <p>Kafka's generated message classes (kafka-clients) are used here only to build tables at class load: api keys,
 * header versions and where each response keeps its throttle time. The tests use them as the oracle for every
 * flyweight.
 */
package io.kafkaproxy.protocol;
