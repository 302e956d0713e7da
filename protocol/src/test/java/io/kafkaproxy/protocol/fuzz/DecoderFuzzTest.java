package io.kafkaproxy.protocol.fuzz;

import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.records.RecordBatchFlyweight;
import io.kafkaproxy.protocol.requests.ProducePartitionsFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.kafkaproxy.protocol.responses.MetadataResponseFlyweight;
import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.kafkaproxy.protocol.responses.RewriteOutcome;
import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.kafkaproxy.protocol.sasl.SaslFuzzTargets;
import io.kafkaproxy.protocol.sasl.SaslUsernames;
import io.kafkaproxy.protocol.wire.ApiHeaderVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.protocol.wire.TopicEntryCursor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every flyweight and rewriter of the protocol module, fed mutated frames: the only outcomes allowed are success and
 * {@link io.kafkaproxy.protocol.wire.FrameRejectedException}; never another exception, never a read outside the frame,
 * never a different reading of the same bytes at another offset.
 *
 * <p>A few thousand frames per decoder from a fixed seed in CI ({@value DecoderFuzzing#DEFAULT_FRAMES}); {@code
 * bench/fuzz.sh N SEED} runs the same campaign with {@code -Dfuzz.totalFrames=N -Dfuzz.seed=SEED}. A failure prints
 * the seed and frame index that replay it.
 */
class DecoderFuzzTest
{
    private static final int MAX_MESSAGE_SIZE_BYTES = 1 << 20;
    private static final long INCOMPLETE = 17;

    private final RequestHeaderFlyweight requestHeader = new RequestHeaderFlyweight();
    private final ResponseHeaderFlyweight responseHeader = new ResponseHeaderFlyweight();
    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
    private final ProducePartitionsFlyweight producePartitions = new ProducePartitionsFlyweight();
    private final RecordBatchFlyweight batches = new RecordBatchFlyweight();
    private final FetchRequestFlyweight fetch = new FetchRequestFlyweight();
    private final SaslAuthenticateRequestFlyweight saslAuthenticate = new SaslAuthenticateRequestFlyweight();
    private final MetadataResponseFlyweight metadata = new MetadataResponseFlyweight();
    private final ResponseRewriters rewriters = new ResponseRewriters();
    private final ResponseSplice splice = new ResponseSplice();
    private final ThrottleTimeLocator throttleTime = new ThrottleTimeLocator();
    private final BrokerEndpointMapper mapper = new FuzzEndpointMapper();

    static Stream<Arguments> decoders()
    {
        return Stream.of(
            decoder("request frame (size, header, body)", FuzzSeedFrames.requestFrames(), DecoderFuzzTest::requestFrame),
            decoder("Produce request", FuzzSeedFrames.produceRequests(), DecoderFuzzTest::produceRequest),
            decoder("Produce request (mirror: partitions, record batches)", FuzzSeedFrames.produceRequests(),
                DecoderFuzzTest::produceRecordBatches),
            decoder("Fetch request", FuzzSeedFrames.fetchRequests(), DecoderFuzzTest::fetchRequest),
            decoder("SaslHandshake request", FuzzSeedFrames.saslHandshakeRequests(),
                (test, seed, buffer, offset, length) -> SaslFuzzTargets.handshake(buffer, offset, length)),
            decoder("SaslAuthenticate request", FuzzSeedFrames.saslAuthenticateRequests(), DecoderFuzzTest::saslAuthenticateRequest),
            decoder("Metadata response (topic walk)", FuzzSeedFrames.metadataResponses(), DecoderFuzzTest::metadataTopics),
            decoder("Metadata response (rewrite)", FuzzSeedFrames.metadataResponses(), DecoderFuzzTest::rewrite),
            decoder("FindCoordinator response", FuzzSeedFrames.findCoordinatorResponses(), DecoderFuzzTest::rewrite),
            decoder("DescribeCluster response", FuzzSeedFrames.describeClusterResponses(), DecoderFuzzTest::rewrite),
            decoder("ApiVersions response", FuzzSeedFrames.apiVersionsResponses(), DecoderFuzzTest::rewrite),
            decoder("node endpoints responses (Produce, Fetch, Share*)", FuzzSeedFrames.nodeEndpointsResponses(), DecoderFuzzTest::rewrite),
            decoder("throttle time locator (every response)", FuzzSeedFrames.everyResponse(), DecoderFuzzTest::throttleTime),
            decoder("response frame (header, rewrite, throttle time)", withResponseHeaders(FuzzSeedFrames.everyResponse()),
                DecoderFuzzTest::responseFrame));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void shouldOnlyAcceptOrRejectMutatedFrames(final String decoder, final List<SeedFrame> seeds, final Decoder target)
    {
        // Given
        final long seed = DecoderFuzzing.seed();
        final int frames = DecoderFuzzing.framesPerDecoder((int)decoders().count());

        // When
        final DecoderFuzzing.Outcome outcome = DecoderFuzzing.run(decoder, seeds,
            (start, buffer, offset, length) -> target.decode(this, start, buffer, offset, length), seed, frames);

        // Then
        System.out.println(outcome);
        assertThat(outcome.accepted() + outcome.rejected()).isEqualTo(frames);
        assertThat(outcome.rejected()).as("mutations that break the frame").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void shouldAcceptEveryUnmutatedSeed(final String decoder, final List<SeedFrame> seeds, final Decoder target)
    {
        for (final SeedFrame seed : seeds)
        {
            // Given
            final UnsafeBuffer buffer = new UnsafeBuffer(seed.bytes().clone());

            // When
            final long fingerprint = target.decode(this, seed, buffer, 0, seed.bytes().length);

            // Then
            assertThat(fingerprint).as("%s %s", decoder, seed).isNotEqualTo(INCOMPLETE);
        }
    }

    private static Arguments decoder(final String name, final List<SeedFrame> seeds, final Decoder decoder)
    {
        assertThat(seeds).as(name).isNotEmpty();
        return Arguments.of(name, seeds, decoder);
    }

    private long requestFrame(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameDescriptor.MESSAGE_OFFSET)
        {
            return INCOMPLETE;
        }
        final int size = buffer.getInt(offset + FrameDescriptor.SIZE_OFFSET, BIG_ENDIAN);
        FrameDescriptor.checkMessageSize(size, MAX_MESSAGE_SIZE_BYTES);
        if (size > length - FrameDescriptor.MESSAGE_OFFSET)
        {
            // The proxy waits for the rest of the frame; nothing more to read yet.
            return INCOMPLETE;
        }
        final RequestHeaderFlyweight header = requestHeader.wrap(buffer, offset + FrameDescriptor.MESSAGE_OFFSET, size);
        long fingerprint = mix(header.apiKey(), header.apiVersion(), header.correlationId(), header.headerVersion(),
            header.clientIdLength(), header.bodyOffset() - offset, header.bodyLength());
        if (header.clientIdLength() >= 0)
        {
            fingerprint = mix(fingerprint, Objects.hashCode(header.clientId()), header.clientIdOffset() - offset);
        }
        final short apiVersion = header.apiVersion();
        if (apiVersion < 0 || apiVersion > ProxyApiVersions.highestDecodedVersion(header.apiKey()) &&
            ProxyApiVersions.isDecoded(header.apiKey()))
        {
            // Answered UNSUPPORTED_VERSION by the proxy without reading the body.
            return fingerprint;
        }
        final int bodyOffset = header.bodyOffset();
        final int bodyLength = header.bodyLength();
        switch (header.apiKey())
        {
            case ApiKeyIds.PRODUCE:
                return mix(fingerprint, walk(produce.wrap(buffer, bodyOffset, bodyLength, apiVersion), offset));
            case ApiKeyIds.FETCH:
                return mix(fingerprint, walk(fetch.wrap(buffer, bodyOffset, bodyLength, apiVersion), offset));
            case ApiKeyIds.SASL_HANDSHAKE:
                return mix(fingerprint, SaslFuzzTargets.handshake(buffer, bodyOffset, bodyLength), bodyOffset - offset);
            case ApiKeyIds.SASL_AUTHENTICATE:
                return mix(fingerprint, saslAuthenticate(buffer, bodyOffset, bodyLength, apiVersion), bodyOffset - offset);
            default:
                return fingerprint;
        }
    }

    private long produceRequest(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        final ProduceRequestFlyweight request = produce.wrap(buffer, offset, length, seed.apiVersion());
        return mix(request.acks(), request.timeoutMs(), relative(request.transactionalIdOffset(), offset),
            request.transactionalIdLength(), request.namesTopicsById() ? 1 : 0, walk(request, offset));
    }

    private long produceRecordBatches(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        final ProduceRequestFlyweight request = produce.wrap(buffer, offset, length, seed.apiVersion());
        long fingerprint = 0;
        while (request.nextTopic())
        {
            producePartitions.wrap(buffer, request.topicEntryOffset(), request.topicEntryLength(), seed.apiVersion());
            while (producePartitions.nextPartition())
            {
                fingerprint = mix(fingerprint, producePartitions.partitionIndex(), producePartitions.recordsLength());
                if (producePartitions.recordsLength() <= 0)
                {
                    continue;
                }
                // The walk never throws: a batch that does not fit ends it, and every batch lies inside the records.
                batches.wrap(buffer, producePartitions.recordsOffset(), producePartitions.recordsLength());
                while (batches.nextBatch())
                {
                    assertThat(batches.batchOffset() + batches.batchLength())
                        .isLessThanOrEqualTo(producePartitions.recordsOffset() + producePartitions.recordsLength());
                    fingerprint = mix(fingerprint, batches.batchLength(), batches.magic(), batches.recordCount(),
                        batches.isMirrorable() ? 1 : 0, batches.isControl() ? 1 : 0);
                }
                fingerprint = mix(fingerprint, batches.truncated() ? 1 : 0, batches.remainingBytes());
            }
        }
        return fingerprint;
    }

    private long fetchRequest(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        final FetchRequestFlyweight request = fetch.wrap(buffer, offset, length, seed.apiVersion());
        return mix(request.replicaId(), request.maxWaitMs(), request.minBytes(), request.maxBytes(), request.isolationLevel(),
            request.sessionId(), request.sessionEpoch(), walk(request, offset));
    }

    private long saslAuthenticateRequest(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        return saslAuthenticate(buffer, offset, length, seed.apiVersion());
    }

    private long saslAuthenticate(final DirectBuffer buffer, final int offset, final int length, final short apiVersion)
    {
        final SaslAuthenticateRequestFlyweight request = saslAuthenticate.wrap(buffer, offset, length, apiVersion);
        final String plain = SaslUsernames.plainUsername(buffer, request.authBytesOffset(), request.authBytesLength());
        final String scram = SaslUsernames.scramUsername(buffer, request.authBytesOffset(), request.authBytesLength());
        return mix(request.authBytesOffset() - offset, request.authBytesLength(), Objects.hashCode(plain), Objects.hashCode(scram));
    }

    private long metadataTopics(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        final MetadataResponseFlyweight response = metadata.wrap(buffer, offset, length, seed.apiVersion());
        long fingerprint = mix(response.topicArrayOffset() - offset, response.topicCount());
        while (response.nextTopic())
        {
            fingerprint = mix(fingerprint, response.topicErrorCode(), response.isInternal() ? 1 : 0, topic(response, offset));
        }
        return fingerprint;
    }

    private long rewrite(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        return rewrite(seed.apiKey(), seed.apiVersion(), buffer, offset, length, offset);
    }

    private long rewrite(final short apiKey, final short apiVersion, final DirectBuffer buffer, final int bodyOffset,
        final int bodyLength, final int frameOffset)
    {
        final int outcome = rewriters.rewrite(apiKey, apiVersion, buffer, bodyOffset, bodyLength, mapper, splice);
        if (outcome != RewriteOutcome.SPLICED)
        {
            return outcome;
        }
        // The splice must stay inside the body it was cut from, or the splicer would copy bytes of another frame.
        assertThat(splice.replaceFromOffset()).as("replaceFromOffset").isBetween(bodyOffset, bodyOffset + bodyLength);
        assertThat(splice.replaceToOffset()).as("replaceToOffset").isBetween(splice.replaceFromOffset(), bodyOffset + bodyLength);
        assertThat(splice.replacementLength()).as("replacementLength").isNotNegative();
        long fingerprint = mix(outcome, splice.replaceFromOffset() - frameOffset, splice.replaceToOffset() - frameOffset,
            splice.replacementLength());
        for (int i = 0; i < splice.replacementLength(); i++)
        {
            fingerprint = mix(fingerprint, splice.replacement().getByte(i));
        }
        return fingerprint;
    }

    private long throttleTime(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        return throttleTime(seed.apiKey(), seed.apiVersion(), buffer, offset, length, offset);
    }

    private long throttleTime(final short apiKey, final short apiVersion, final DirectBuffer buffer, final int bodyOffset,
        final int bodyLength, final int frameOffset)
    {
        final int at = throttleTime.throttleTimeOffset(apiKey, apiVersion, buffer, bodyOffset, bodyLength);
        if (at == ThrottleTimeLocator.NOT_PRESENT)
        {
            return at;
        }
        // The quota writes four bytes there: they must lie inside the body.
        assertThat(at).as("throttle_time_ms offset").isBetween(bodyOffset, bodyOffset + bodyLength - 4);
        return at - frameOffset;
    }

    private long responseFrame(final SeedFrame seed, final DirectBuffer buffer, final int offset, final int length)
    {
        final ResponseHeaderFlyweight header = responseHeader.wrap(buffer, offset, length)
            .headerVersion(ApiHeaderVersions.responseHeaderVersion(seed.apiKey(), seed.apiVersion()));
        final long located = ThrottleTimeLocator.hasThrottleTime(seed.apiKey(), seed.apiVersion()) ?
            throttleTime(seed.apiKey(), seed.apiVersion(), buffer, header.bodyOffset(), header.bodyLength(), offset) : 0;
        return mix(header.correlationId(), header.bodyOffset() - offset, header.bodyLength(), located,
            rewrite(seed.apiKey(), seed.apiVersion(), buffer, header.bodyOffset(), header.bodyLength(), offset));
    }

    private static long walk(final TopicEntryCursor topics, final int offset)
    {
        long fingerprint = mix(topics.topicArrayOffset() - offset, topics.topicCount());
        while (topics.nextTopic())
        {
            fingerprint = mix(fingerprint, topic(topics, offset));
            if (topics instanceof ProduceRequestFlyweight produceTopics)
            {
                fingerprint = mix(fingerprint, produceTopics.recordBytes());
            }
        }
        return fingerprint;
    }

    private static long topic(final TopicEntryCursor topics, final int offset)
    {
        // The entry's bytes must lie inside the frame: a caller copies or drops exactly that range.
        assertThat(topics.topicEntryOffset()).as("topicEntryOffset").isGreaterThanOrEqualTo(offset);
        assertThat(topics.topicEntryLength()).as("topicEntryLength").isNotNegative();
        return mix(topics.topicEntryOffset() - offset, topics.topicEntryLength(), relative(topics.topicNameOffset(), offset),
            topics.topicNameLength(), topics.topicIdMostSignificantBits(), topics.topicIdLeastSignificantBits(),
            topics.partitionCount());
    }

    private static long relative(final int absoluteOffset, final int offset)
    {
        return absoluteOffset < 0 ? absoluteOffset : absoluteOffset - offset;
    }

    private static long mix(final long... values)
    {
        long hash = 1125899906842597L;
        for (final long value : values)
        {
            hash = 31 * hash + value;
        }
        return hash;
    }

    private static List<SeedFrame> withResponseHeaders(final List<SeedFrame> bodies)
    {
        return bodies.stream().map(body ->
        {
            final boolean flexible = ApiHeaderVersions.responseHeaderVersion(body.apiKey(), body.apiVersion()) >= 1;
            final ByteBuffer frame = ByteBuffer.allocate(4 + (flexible ? 1 : 0) + body.bytes().length);
            frame.putInt(body.bytes().length);
            if (flexible)
            {
                frame.put((byte)0);
            }
            frame.put(body.bytes());
            return new SeedFrame(body.apiKey(), body.apiVersion(), frame.array());
        }).toList();
    }

    /**
     * A decoder of this test, given the instance whose flyweights it re-wraps.
     */
    @FunctionalInterface
    interface Decoder
    {
        long decode(DecoderFuzzTest test, SeedFrame seed, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Gives most nodes a port, some a pending listener and some none, so that every rewrite outcome is reached.
     */
    private static final class FuzzEndpointMapper implements BrokerEndpointMapper
    {
        @Override
        public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
        {
            if (Math.floorMod(nodeId, 7) == 3)
            {
                return PORT_PENDING;
            }
            if (Math.floorMod(nodeId, 11) == 5)
            {
                return PORT_UNAVAILABLE;
            }
            return 40000 + Math.floorMod(nodeId, 1000);
        }

        @Override
        public String advertisedHost()
        {
            return "proxy.example";
        }
    }
}
