/**
 * Produce mirroring to a shadow cluster (issue 14, docs/clusters.md "Produce mirroring"). {@link
 * io.kafkaproxy.proxy.mirror.ProduceMirror} is what a cluster owns: the mirror's memory slice, its meters, the tap
 * and the sender. The request forwarder hands each Produce request, after it went to the broker link, to the
 * {@link io.kafkaproxy.proxy.mirror.MirrorTap} ({@code ShadowCopyTap}, on the client's event loop), which copies the
 * record batches of the matching topics into the slice, rewritten for the shadow, or drops and counts them; the
 * {@code MirrorSender} (one event loop of its own) learns the shadow's partition leaders ({@code ShadowMetadata})
 * and sends the copies as Produce requests ({@code ShadowProduceEncoder}) over {@code ShadowConnection}s, one per
 * shadow broker. Nothing here delays, changes or fails a
 * client's request, and nothing queues without bound: the slice and a cap on requests in flight per broker bound it.
 */
package io.kafkaproxy.proxy.mirror;
