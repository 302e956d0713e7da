/**
 * Flyweights over the request bodies the proxy must read to decide on them: {@link
 * io.kafkaproxy.protocol.requests.ProduceRequestFlyweight} (the acks, the transactional id, each topic and its record
 * bytes, for ACLs and byte-rate quotas) and {@link io.kafkaproxy.protocol.requests.FetchRequestFlyweight} (the
 * fetch limits and each topic, for ACLs). Both walk their topics one entry at a time with the shared {@link
 * io.kafkaproxy.protocol.wire.TopicEntryCursor}, on the hot path, allocating nothing; everything else in the request
 * is forwarded unread.
 */
package io.kafkaproxy.protocol.requests;
