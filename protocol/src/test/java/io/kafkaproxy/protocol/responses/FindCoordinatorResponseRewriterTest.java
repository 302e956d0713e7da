package io.kafkaproxy.protocol.responses;

import io.kafkaproxy.protocol.WireFixtures;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.ADVERTISED_HOST;
import static io.kafkaproxy.protocol.WireFixtures.RecordingMapper.proxyPortOf;
import static org.assertj.core.api.Assertions.assertThat;

class FindCoordinatorResponseRewriterTest
{
    private final EndpointArrayRewriter endpoints = new EndpointArrayRewriter();
    private final ResponseSplice splice = new ResponseSplice();
    private final WireFixtures.RecordingMapper mapper = new WireFixtures.RecordingMapper();

    @Test
    void shouldRewriteTheCoordinatorOfEveryVersion()
    {
        for (short version = ApiKeys.FIND_COORDINATOR.oldestVersion(); version <= ApiKeys.FIND_COORDINATOR.latestVersion(true); version++)
        {
            // Given
            final FindCoordinatorResponseData original = response(version, false);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = FindCoordinatorResponseRewriter.rewrite(
                endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

            // Then
            assertThat(outcome).as("v%d", version).isEqualTo(RewriteOutcome.SPLICED);
            final ByteBuffer rewritten = WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice);
            assertThat(new FindCoordinatorResponseData(WireFixtures.accessor(rewritten), version))
                .as("v%d", version)
                .isEqualTo(WireFixtures.roundTrip(response(version, true), version, FindCoordinatorResponseData::new));
        }
    }

    @Test
    void shouldLeaveACoordinatorErrorUnchanged()
    {
        for (final short version : new short[] {0, 3})
        {
            // Given
            final FindCoordinatorResponseData original = new FindCoordinatorResponseData()
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
            final UnsafeBuffer buffer = WireFixtures.serialize(original, version);
            final int bodyLength = WireFixtures.bodyLength(original, version);

            // When
            final int outcome = FindCoordinatorResponseRewriter.rewrite(
                endpoints.wrap(buffer, WireFixtures.BODY_OFFSET, bodyLength, mapper, splice), version);

            // Then
            assertThat(outcome).isEqualTo(RewriteOutcome.UNCHANGED);
            assertThat(WireFixtures.spliced(buffer, WireFixtures.BODY_OFFSET, bodyLength, splice))
                .isEqualTo(ByteBuffer.wrap(bytesOf(buffer, bodyLength)));
            assertThat(mapper.brokerAddresses).isEmpty();
        }
    }

    private static FindCoordinatorResponseData response(final short version, final boolean rewritten)
    {
        final String host = rewritten ? ADVERTISED_HOST : "broker-7.internal";
        final int port = rewritten ? proxyPortOf(7) : 9093;
        if (version < 4)
        {
            return new FindCoordinatorResponseData()
                .setThrottleTimeMs(version >= 1 ? 3 : 0)
                .setErrorMessage(version >= 1 ? "fine" : null)
                .setNodeId(7)
                .setHost(host)
                .setPort(port);
        }
        return new FindCoordinatorResponseData()
            .setThrottleTimeMs(3)
            .setCoordinators(List.of(
                new Coordinator().setKey("group-a").setNodeId(7).setHost(host).setPort(port),
                new Coordinator().setKey("group-b").setNodeId(-1).setHost("").setPort(-1)
                    .setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()).setErrorMessage("loading")));
    }

    private static byte[] bytesOf(final UnsafeBuffer buffer, final int bodyLength)
    {
        final byte[] bytes = new byte[bodyLength];
        buffer.getBytes(WireFixtures.BODY_OFFSET, bytes);
        return bytes;
    }
}
