package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.FrameDescriptor;
import io.kafkaproxy.protocol.wire.FrameRejectedException;
import io.kafkaproxy.proxy.request.RequestDecision;
import io.kafkaproxy.proxy.testing.MutatedRequestFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy stages that parse request bodies (identity from SASL, ACL checks of topics, groups, transactional ids
 * and admin resources, quotas charging produce bytes), fed mutated request frames that passed the frame and header
 * decoders: the only outcomes allowed are a decision or a {@link FrameRejectedException}, which the connection counts
 * as malformed and closes on; never another exception, never a buffer left unreleased.
 *
 * <p>Frames come from a seed ({@code -Dfuzz.seed}, default fixed) in connections of one to four frames, each with a
 * fresh policy; a failure names the seed and frame.
 */
class ConnectionPolicyFuzzTest
{
    private static final int FRAMES = Integer.getInteger("fuzz.frames", 3000);
    private static final int MAX_MESSAGE_SIZE_BYTES = 1 << 20;
    private static final String POLICY = """
        acl:
          defaultPolicy: allow
          rules:
            - effect: deny
              principal: "*"
              resourceType: topic
              resourceName: fuzz-
              patternType: prefixed
              operations: [write, create, delete, alter, describeConfigs]
            - effect: deny
              principal: "*"
              resourceType: group
              resourceName: fuzz-group
              operations: [read, delete]
            - effect: deny
              principal: "*"
              resourceType: transactionalId
              resourceName: fuzz-txn
              operations: [write]
        quotas:
          - principal: "*"
            produceBytesPerSecond: 1GiB
            fetchBytesPerSecond: 1GiB
            requestsPerSecond: 1000000
        """;

    private final PolicyFixtures fixtures = new PolicyFixtures(POLICY);

    @AfterEach
    void tearDown()
    {
        fixtures.close();
    }

    @Test
    void shouldOnlyDecideOrRejectMutatedRequests()
    {
        // Given
        final long seed = Long.decode(System.getProperty("fuzz.seed", "0x5EED0016"));
        final MutatedRequestFrames frames = MutatedRequestFrames.includingAdminAndGroupRequests("fuzz-topic");
        int decided = 0;
        int rejected = 0;
        int notAFrame = 0;
        final Map<String, String> escapes = new TreeMap<>();
        ConnectionPolicy policy = newPolicy();
        int framesLeftOnConnection = 0;

        // When
        for (int i = 0; i < FRAMES; i++)
        {
            final SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (i + 1));
            if (framesLeftOnConnection == 0)
            {
                policy.onClosed();
                policy = newPolicy();
                framesLeftOnConnection = 1 + random.nextInt(4);
            }
            framesLeftOnConnection--;
            final byte[] bytes = random.nextInt(4) == 0 ? frames.valid(random) : frames.mutated(random);
            if (bytes.length < FrameDescriptor.MESSAGE_OFFSET || Unpooled.wrappedBuffer(bytes).getInt(0) != bytes.length - 4)
            {
                // Stopped by the frame decoder, which has its own tests: an oversize, negative or unfinished frame.
                notAFrame++;
                continue;
            }
            final ByteBuf frame = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            try
            {
                FrameDescriptor.checkMessageSize(bytes.length - 4, MAX_MESSAGE_SIZE_BYTES);
                final RequestDecision decision = policy.onRequest(fixtures.decode(frame));
                if (decision.frame() != null)
                {
                    decision.frame().release();
                }
                decided++;
            }
            catch (final FrameRejectedException expected)
            {
                rejected++;
                framesLeftOnConnection = 0;
            }
            catch (final RuntimeException unexpected)
            {
                // One reproducer per place of failure, so that one run reports every distinct escape.
                escapes.putIfAbsent(escapeSite(unexpected), "frame=" + i + ", message=" + unexpected.getMessage() +
                    ", bytes=" + HexFormat.of().formatHex(bytes));
                framesLeftOnConnection = 0;
            }
            finally
            {
                frame.release();
            }
        }

        // Then
        System.out.printf("FUZZ decoder=connection-policy frames=%d decided=%d rejected=%d notAFrame=%d escaped=%d seed=%d%n",
            FRAMES, decided, rejected, notAFrame, FRAMES - decided - rejected - notAFrame, seed);
        assertThat(decided).isPositive();
        assertThat(escapes).as("exceptions other than FrameRejectedException, by where they were thrown (seed %d; replay: "
            + "-Dfuzz.seed=%d -Dfuzz.frames=N)", seed, seed).isEmpty();
    }

    private static String escapeSite(final RuntimeException exception)
    {
        final StackTraceElement[] stack = exception.getStackTrace();
        for (final StackTraceElement frame : stack)
        {
            if (frame.getClassName().startsWith("io.kafkaproxy."))
            {
                return exception.getClass().getName() + " at " + frame;
            }
        }
        return exception.getClass().getName() + " at " + (stack.length > 0 ? stack[0] : "?");
    }

    private ConnectionPolicy newPolicy()
    {
        final ConnectionPolicy policy =
            new ConnectionPolicy(fixtures.services, UnpooledByteBufAllocator.DEFAULT, InetAddress.getLoopbackAddress());
        policy.onConnected();
        return policy;
    }
}
