package io.kafkaproxy.bench;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * What the response-walk benchmarks share: a proxy that gives node {@code n} port {@code 9093 + n} on one
 * advertised host, and response bodies copied off-heap as the proxy holds them.
 */
final class FixedEndpoints implements BrokerEndpointMapper
{
    /** The mapper. */
    static final FixedEndpoints MAPPER = new FixedEndpoints();

    private FixedEndpoints()
    {
    }

    @Override
    public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
    {
        return 9093 + nodeId;
    }

    @Override
    public String advertisedHost()
    {
        return "kafka-proxy.example.com";
    }

    /**
     * A response body in direct memory, as the proxy reads it from a socket.
     *
     * @param heap the body, position to limit.
     * @return a view of a direct copy.
     */
    static UnsafeBuffer offHeap(final ByteBuffer heap)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap.duplicate()).flip();
        return new UnsafeBuffer(direct);
    }
}
