package io.kafkaproxy.proxy.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client over Java's {@link HttpClient} that keeps every text and binary message, the pings it got and
 * how the server closed.
 */
public final class WebSocketRecorder implements WebSocket.Listener
{
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final List<byte[]> binaries = new CopyOnWriteArrayList<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private ByteBuffer binary = ByteBuffer.allocate(0);
    private final boolean reads;
    private volatile WebSocket webSocket;
    private volatile String closeReason;

    /**
     * Connects.
     *
     * @param client the HTTP client.
     * @param uri    the {@code ws://} URI.
     * @return the recorder, once connected.
     */
    public static WebSocketRecorder connect(final HttpClient client, final URI uri)
    {
        final WebSocketRecorder recorder = new WebSocketRecorder(true);
        recorder.webSocket = client.newWebSocketBuilder().buildAsync(uri, recorder).join();
        return recorder;
    }

    /**
     * Connects and then reads nothing: the client asks for no message, so its socket is not read.
     *
     * @param client the HTTP client.
     * @param uri    the {@code ws://} URI.
     * @return the recorder, once connected.
     */
    public static WebSocketRecorder connectWithoutReading(final HttpClient client, final URI uri)
    {
        final WebSocketRecorder recorder = new WebSocketRecorder(false);
        recorder.webSocket = client.newWebSocketBuilder().buildAsync(uri, recorder).join();
        return recorder;
    }

    private WebSocketRecorder(final boolean reads)
    {
        this.reads = reads;
    }

    /**
     * The text messages received so far.
     *
     * @return the messages.
     */
    public List<String> texts()
    {
        return texts;
    }

    /**
     * The binary messages received so far.
     *
     * @return the messages.
     */
    public List<byte[]> binaries()
    {
        return binaries;
    }

    /**
     * The pings received so far.
     *
     * @return the count.
     */
    public int pings()
    {
        return pings.get();
    }

    /**
     * The close code the server sent.
     *
     * @return completes with the code, or fails if the connection failed.
     */
    public CompletableFuture<Integer> closeCode()
    {
        return closeCode;
    }

    /**
     * The close reason the server sent.
     *
     * @return the reason, or null before the close.
     */
    public String closeReason()
    {
        return closeReason;
    }

    /**
     * Closes from the client side.
     */
    public void close()
    {
        final WebSocket current = webSocket;
        if (current != null && !current.isOutputClosed())
        {
            current.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    @Override
    public void onOpen(final WebSocket socket)
    {
        webSocket = socket;
        if (reads)
        {
            socket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(final WebSocket socket, final CharSequence data, final boolean last)
    {
        text.append(data);
        if (last)
        {
            texts.add(text.toString());
            text.setLength(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(final WebSocket socket, final ByteBuffer data, final boolean last)
    {
        final ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
        joined.put(binary).put(data).flip();
        binary = joined;
        if (last)
        {
            final byte[] bytes = new byte[binary.remaining()];
            binary.get(bytes);
            binaries.add(bytes);
            binary = ByteBuffer.allocate(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(final WebSocket socket, final ByteBuffer message)
    {
        pings.incrementAndGet();
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket socket, final int statusCode, final String reason)
    {
        closeReason = reason;
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(final WebSocket socket, final Throwable error)
    {
        closeCode.completeExceptionally(error);
    }
}
