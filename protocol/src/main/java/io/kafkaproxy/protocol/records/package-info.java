/**
 * Record sets as the Produce request carries them: {@link io.kafkaproxy.protocol.records.RecordBatchDescriptor}
 * (the v2 batch header layout), {@link io.kafkaproxy.protocol.records.RecordBatchFlyweight} (a walk over the batches
 * of a record set, header fields only, records never decoded) and {@link
 * io.kafkaproxy.protocol.records.ShadowBatchRewriter} (rewrites a copied batch in place so another cluster accepts
 * it as a plain, non-idempotent producer's batch). Used by produce mirroring; nothing here allocates per batch.
 */
package io.kafkaproxy.protocol.records;
