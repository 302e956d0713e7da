package io.kafkaproxy.bench;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal broker for {@link ForwardBenchmark}: answers each Produce and Fetch with pre-built bytes (its
 * correlation id patched in), and ApiVersions and Metadata (the proxy's node discovery) with a one-node cluster.
 * One thread per connection, blocking I/O on reused direct buffers: nothing allocated per request, so the
 * benchmark's allocation figure is the proxy's and the client's alone.
 */
final class StandInBroker implements AutoCloseable
{
    private static final int MAX_REQUEST_BYTES = 4 << 20;

    private final ServerSocketChannel server;
    private final ByteBuffer produceResponse;
    private final ByteBuffer fetchResponse;
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private StandInBroker(final ByteBuffer produceResponse, final ByteBuffer fetchResponse) throws IOException
    {
        this.produceResponse = produceResponse;
        this.fetchResponse = fetchResponse;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        this.acceptor = new Thread(this::acceptLoop, "stand-in-broker-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts the broker.
     *
     * @param produceResponse the whole Produce response frame, size field first; its correlation id is patched.
     * @param fetchResponse   the whole Fetch response frame, likewise.
     * @return the running broker.
     * @throws IOException if it cannot listen.
     */
    static StandInBroker start(final ByteBuffer produceResponse, final ByteBuffer fetchResponse) throws IOException
    {
        return new StandInBroker(produceResponse, fetchResponse);
    }

    int port()
    {
        return server.socket().getLocalPort();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final SocketChannel connection = server.accept();
                connection.socket().setTcpNoDelay(true);
                connections.add(connection);
                final Thread serving = new Thread(() -> serve(connection), "stand-in-broker-connection");
                serving.setDaemon(true);
                serving.start();
            }
            catch (final IOException e)
            {
                return;
            }
        }
    }

    private void serve(final SocketChannel connection)
    {
        final ByteBuffer size = ByteBuffer.allocateDirect(4);
        final ByteBuffer request = ByteBuffer.allocateDirect(MAX_REQUEST_BYTES);
        // Copies per connection, so that patching a correlation id never races another connection's write.
        final ByteBuffer produce = copyOf(produceResponse);
        final ByteBuffer fetch = copyOf(fetchResponse);
        try
        {
            while (!closed)
            {
                size.clear();
                readFully(connection, size);
                final int length = size.getInt(0);
                request.clear().limit(length);
                readFully(connection, request);
                final short apiKey = request.getShort(0);
                final short apiVersion = request.getShort(2);
                final int correlationId = request.getInt(4);
                final ByteBuffer response;
                if (apiKey == ApiKeys.PRODUCE.id)
                {
                    response = produce;
                }
                else if (apiKey == ApiKeys.FETCH.id)
                {
                    response = fetch;
                }
                else
                {
                    // Discovery only, a few times per run: built on demand.
                    response = discoveryResponse(apiKey, apiVersion);
                }
                response.putInt(4, correlationId);
                response.clear();
                while (response.hasRemaining())
                {
                    connection.write(response);
                }
            }
        }
        catch (final IOException e)
        {
            // The proxy closed the connection.
        }
    }

    private ByteBuffer discoveryResponse(final short apiKey, final short apiVersion)
    {
        final ApiMessage body;
        if (apiKey == ApiKeys.API_VERSIONS.id)
        {
            final ApiVersionsResponseData versions = new ApiVersionsResponseData();
            for (final ApiKeys api : List.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA, ApiKeys.API_VERSIONS))
            {
                versions.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id)
                    .setMinVersion(api.oldestVersion()).setMaxVersion(api.latestVersion()));
            }
            body = versions;
        }
        else
        {
            final MetadataResponseData metadata = new MetadataResponseData().setClusterId("stand-in").setControllerId(1);
            metadata.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1").setPort(port()));
            body = metadata;
        }
        final ApiKeys api = ApiKeys.forId(apiKey);
        return frame(new ResponseHeaderData(), api.responseHeaderVersion(apiVersion), body, apiVersion);
    }

    /**
     * A whole frame, size field first, from a header and a body.
     *
     * @param header        the header message.
     * @param headerVersion its version.
     * @param body          the body message.
     * @param version       its version.
     * @return the frame, position 0.
     */
    static ByteBuffer frame(final ApiMessage header, final short headerVersion, final ApiMessage body, final short version)
    {
        final ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header, headerVersion).buffer();
        final ByteBuffer bodyBytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        final ByteBuffer frame = ByteBuffer.allocateDirect(4 + headerBytes.remaining() + bodyBytes.remaining());
        frame.putInt(headerBytes.remaining() + bodyBytes.remaining()).put(headerBytes).put(bodyBytes).flip();
        return frame;
    }

    private static ByteBuffer copyOf(final ByteBuffer frame)
    {
        final ByteBuffer copy = ByteBuffer.allocateDirect(frame.capacity());
        copy.put(frame.duplicate().clear()).flip();
        return copy;
    }

    static void readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new EOFException("connection closed");
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        final List<SocketChannel> open = new ArrayList<>(connections);
        for (final SocketChannel connection : open)
        {
            connection.close();
        }
    }
}
