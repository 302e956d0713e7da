package io.kafkaproxy.proxy.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A plain blocking socket speaking just enough Kafka to probe the proxy with well- and ill-formed bytes.
 */
public final class RawKafkaConnection implements AutoCloseable
{
    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawKafkaConnection(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects.
     *
     * @param address where to.
     * @return the connection.
     * @throws IOException if the connection fails.
     */
    public static RawKafkaConnection open(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return new RawKafkaConnection(socket);
    }

    /**
     * Sends bytes as they are.
     *
     * @param bytes the bytes.
     * @throws IOException if the write fails.
     */
    public void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * Sends a request with a header v1 (or v2 when {@code flexibleHeader}) and the given body.
     *
     * @param apiKey         the api key.
     * @param apiVersion     the version.
     * @param correlationId  the correlation id.
     * @param flexibleHeader whether to add the header's empty tagged fields.
     * @param body           the body bytes.
     * @throws IOException if the write fails.
     */
    public void sendRequest(final short apiKey, final short apiVersion, final int correlationId, final boolean flexibleHeader,
        final byte[] body) throws IOException
    {
        final byte[] clientId = "raw-probe".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer frame = ByteBuffer.allocate(4 + 10 + clientId.length + (flexibleHeader ? 1 : 0) + body.length);
        frame.putInt(frame.capacity() - 4).putShort(apiKey).putShort(apiVersion).putInt(correlationId)
            .putShort((short)clientId.length).put(clientId);
        if (flexibleHeader)
        {
            frame.put((byte)0);
        }
        frame.put(body);
        send(frame.array());
    }

    /**
     * Sends ApiVersions v0, which every broker understands.
     *
     * @param correlationId the correlation id.
     * @throws IOException if the write fails.
     */
    public void sendApiVersionsV0(final int correlationId) throws IOException
    {
        sendRequest((short)18, (short)0, correlationId, false, new byte[0]);
    }

    /**
     * Reads one response frame.
     *
     * @return the frame after its size field: correlation id first.
     * @throws IOException if the connection closes or times out first.
     */
    public ByteBuffer readFrame() throws IOException
    {
        final int size = in.readInt();
        final byte[] message = new byte[size];
        in.readFully(message);
        return ByteBuffer.wrap(message);
    }

    /**
     * Whether the peer closes the connection (or resets it) before the read timeout, reading and dropping
     * anything it sends first.
     *
     * @return true if the connection was closed by the proxy.
     * @throws IOException if reading fails otherwise.
     */
    public boolean closedByPeer() throws IOException
    {
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final EOFException | SocketException e)
        {
            return true;
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
