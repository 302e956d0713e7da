/**
 * Seeded fuzzing of every protocol flyweight and rewriter: valid frames written by Kafka's generated classes ({@link
 * io.kafkaproxy.protocol.fuzz.FuzzSeedFrames}), mutated ({@link io.kafkaproxy.protocol.fuzz.FrameMutator}) and fed to
 * each decoder by {@link io.kafkaproxy.protocol.fuzz.DecoderFuzzing}, which allows success or a {@link
 * io.kafkaproxy.protocol.wire.FrameRejectedException} and nothing else. Run briefly in CI by {@code DecoderFuzzTest}
 * and at length by {@code bench/fuzz.sh}.
 */
package io.kafkaproxy.protocol.fuzz;
