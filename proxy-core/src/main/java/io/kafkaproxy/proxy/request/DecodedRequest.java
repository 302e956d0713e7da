package io.kafkaproxy.proxy.request;

import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import io.kafkaproxy.protocol.wire.RequestHeaderFlyweight;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One request frame from the client, decoded once and handed to every stage that decides it: the header the
 * request header decoder wrapped, the view it reads, and the Produce or Fetch body flyweight, wrapped over the same
 * view the first time a stage asks for it.
 *
 * <p>One instance per event loop (see {@link EventLoopFlyweights}), rewrapped for each request; it describes the
 * current request only while the callback that read it runs. The frame is not owned here: whoever called {@link #wrap}
 * keeps it.
 *
 * <p>A request streaming to the broker (cut-through) is decoded from its head alone ({@link #wrapHead}): its header and
 * the leading fields of its body are there, its frame length is known from the size field, and only stages that need
 * nothing more see it ({@code ConnectionPolicy.readsRequest}). Confined to its event loop.
 */
public final class DecodedRequest
{
    private final ProduceRequestFlyweight produce = new ProduceRequestFlyweight();
    private final FetchRequestFlyweight fetch = new FetchRequestFlyweight();
    private ByteBuf frame;
    private RequestHeaderFlyweight header;
    private UnsafeBuffer view;
    private long readNanos;
    private int frameLength;
    private boolean produceWrapped;
    private boolean produceTopicsWalked;
    private boolean fetchWrapped;

    DecodedRequest()
    {
    }

    /**
     * Points at a new request.
     *
     * @param frame     the request, size field first; still owned by the caller.
     * @param header    its header, already wrapped over {@code view}.
     * @param view      the view over the frame.
     * @param readNanos when it was read.
     * @return this.
     */
    public DecodedRequest wrap(final ByteBuf frame, final RequestHeaderFlyweight header, final UnsafeBuffer view, final long readNanos)
    {
        return wrapHead(frame, header, view, readNanos, frame.readableBytes());
    }

    /**
     * Points at the head of a new request that streams to the broker (cut-through): its first bytes only.
     *
     * @param head        the request's first bytes, size field first, its header and the body's leading fields whole;
     *                    still owned by the caller.
     * @param header      its header, already wrapped over {@code view}.
     * @param view        the view over the head.
     * @param readNanos   when its head was read.
     * @param frameLength the whole request's length, size field included, from its size field.
     * @return this.
     */
    public DecodedRequest wrapHead(
        final ByteBuf head, final RequestHeaderFlyweight header, final UnsafeBuffer view, final long readNanos, final int frameLength)
    {
        this.frame = head;
        this.header = header;
        this.view = view;
        this.readNanos = readNanos;
        this.frameLength = frameLength;
        produceWrapped = false;
        produceTopicsWalked = false;
        fetchWrapped = false;
        return this;
    }

    /**
     * Forgets the request, so that no frame is reachable from the event loop's instance once it is released.
     */
    public void clear()
    {
        frame = null;
        header = null;
        view = null;
    }

    /**
     * The request frame.
     *
     * @return the frame, size field first; owned by whoever wrapped it.
     */
    public ByteBuf frame()
    {
        return frame;
    }

    /**
     * The request's length, size field included: the frame's readable bytes, or the whole length of a request of which
     * only the head is at hand ({@link #wrapHead}).
     *
     * @return the length in bytes.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * The request header.
     *
     * @return the header flyweight, wrapped over {@link #view()}.
     */
    public RequestHeaderFlyweight header()
    {
        return header;
    }

    /**
     * The view over the frame that the header and body flyweights read.
     *
     * @return the view, from the size field on.
     */
    public UnsafeBuffer view()
    {
        return view;
    }

    /**
     * When the request was read.
     *
     * @return {@link System#nanoTime()} at the read.
     */
    public long readNanos()
    {
        return readNanos;
    }

    /**
     * The request's api key.
     *
     * @return the api key.
     */
    public short apiKey()
    {
        return header.apiKey();
    }

    /**
     * The request's version.
     *
     * @return the api version.
     */
    public short apiVersion()
    {
        return header.apiVersion();
    }

    /**
     * The request's correlation id.
     *
     * @return the client's correlation id.
     */
    public int correlationId()
    {
        return header.correlationId();
    }

    /**
     * Where the body starts in the view.
     *
     * @return the absolute offset of the body.
     */
    public int bodyOffset()
    {
        return header.bodyOffset();
    }

    /**
     * How long the body is.
     *
     * @return the body's length in bytes.
     */
    public int bodyLength()
    {
        return header.bodyLength();
    }

    /**
     * The Produce body, wrapped on first use: its leading fields (transactional id, acks) are read once for all
     * stages.
     *
     * @return the flyweight over the body; its topic cursor may have moved (use {@link #produceTopics()} to walk).
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the body is malformed.
     */
    public ProduceRequestFlyweight produce()
    {
        if (!produceWrapped)
        {
            produce.wrap(view, header.bodyOffset(), header.bodyLength(), header.apiVersion());
            produceWrapped = true;
        }
        return produce;
    }

    /**
     * The Produce body with its topic cursor before the first topic, for a stage that walks the topics; it is wrapped
     * again only when an earlier stage has walked them.
     *
     * @return the flyweight over the body.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the body is malformed.
     */
    public ProduceRequestFlyweight produceTopics()
    {
        if (produceTopicsWalked)
        {
            produceWrapped = false;
        }
        produceTopicsWalked = true;
        return produce();
    }

    /**
     * The Fetch body, wrapped on first use.
     *
     * @return the flyweight over the body, its topic cursor before the first topic on first use.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if the body is malformed.
     */
    public FetchRequestFlyweight fetch()
    {
        if (!fetchWrapped)
        {
            fetch.wrap(view, header.bodyOffset(), header.bodyLength(), header.apiVersion());
            fetchWrapped = true;
        }
        return fetch;
    }

    /**
     * Whether the broker will answer the request: every request but an acks=0 Produce.
     *
     * @return true if a response is owed.
     * @throws io.kafkaproxy.protocol.wire.FrameRejectedException if a Produce body is malformed.
     */
    public boolean expectsResponse()
    {
        return header.apiKey() != ApiKeyIds.PRODUCE || produce().acks() != ProduceRequestFlyweight.ACKS_NONE;
    }
}
