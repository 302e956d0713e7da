/**
 * Changing a running proxy: configuration reload on a signal, in three steps kept apart. Detect
 * ({@link io.kafkaproxy.proxy.reload.ConfigChangeDetector}) names every changed section, live or restart-only;
 * plan ({@link io.kafkaproxy.proxy.reload.ReloadPlan}) is the immutable decision of what applies now and what
 * waits for a restart; apply ({@link io.kafkaproxy.proxy.reload.ReloadApplier}) compiles one
 * {@link io.kafkaproxy.proxy.cluster.ClusterSnapshot} and publishes it through each cluster's one reference. Each
 * step returns a {@link io.kafkaproxy.proxy.reload.StepResult} rather than throwing; a failed step keeps the
 * running snapshot. Also the log levels.
 */
package io.kafkaproxy.proxy.reload;
