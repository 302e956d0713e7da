package io.kafkaproxy.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Records every byte exchanged with clients on the proxy's client channels, then decodes the responses with
 * Kafka's own classes: the independent view of what clients were told.
 *
 * <p>Installed first in each client pipeline, so it sees requests as they arrive and responses exactly as they
 * leave. Each channel's recorder is confined to that channel's event loop; the list of recorders is concurrent.
 */
public final class ClientTrafficCapture implements Consumer<ChannelPipeline>
{
    private final Queue<Recorder> connections = new ConcurrentLinkedQueue<>();

    /**
     * A response as the client received it.
     *
     * @param api        the api it answers.
     * @param apiVersion the request's version.
     * @param bytes      the whole frame as sent, size field included.
     * @param message    the body, parsed with Kafka's generated classes.
     */
    public record CapturedResponse(ApiKeys api, short apiVersion, byte[] bytes, ApiMessage message)
    {
    }

    @Override
    public void accept(final ChannelPipeline pipeline)
    {
        final Recorder recorder = new Recorder();
        connections.add(recorder);
        pipeline.addFirst("capture", recorder);
    }

    /**
     * Every response sent to any client so far, decoded.
     *
     * @return the responses, per connection in order.
     */
    public List<CapturedResponse> responses()
    {
        final List<CapturedResponse> responses = new ArrayList<>();
        for (final Recorder recorder : connections)
        {
            final Map<Integer, short[]> requests = new HashMap<>();
            for (final ByteBuffer request : frames(recorder.inboundBytes()))
            {
                requests.put(request.getInt(8), new short[] {request.getShort(4), request.getShort(6)});
            }
            for (final ByteBuffer response : frames(recorder.outboundBytes()))
            {
                final short[] request = requests.get(response.getInt(4));
                if (request == null)
                {
                    throw new AssertionError("response to no request: correlationId=" + response.getInt(4));
                }
                responses.add(decode(ApiKeys.forId(request[0]), request[1], response));
            }
        }
        return responses;
    }

    private static CapturedResponse decode(final ApiKeys api, final short version, final ByteBuffer frame)
    {
        final byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        final ByteBuffer body = frame.duplicate();
        body.position(4);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body);
        new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        short bodyVersion = version;
        if (api == ApiKeys.API_VERSIONS && body.getShort(body.position()) == Errors.UNSUPPORTED_VERSION.code())
        {
            bodyVersion = 0;
        }
        final ApiMessage message = ApiMessageType.fromApiKey(api.id).newResponse();
        message.read(accessor, bodyVersion);
        if (body.hasRemaining())
        {
            throw new AssertionError("response longer than its schema: api=" + api + ", version=" + version +
                ", extraBytes=" + body.remaining());
        }
        return new CapturedResponse(api, version, bytes, message);
    }

    private static List<ByteBuffer> frames(final byte[] stream)
    {
        final List<ByteBuffer> frames = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.wrap(stream);
        while (buffer.remaining() >= 4)
        {
            final int size = buffer.getInt(buffer.position());
            if (buffer.remaining() < 4 + size)
            {
                break;
            }
            final ByteBuffer frame = buffer.slice();
            frame.limit(4 + size);
            frames.add(frame);
            buffer.position(buffer.position() + 4 + size);
        }
        return frames;
    }

    private static final class Recorder extends ChannelDuplexHandler
    {
        private final ByteArrayOutputStream inbound = new ByteArrayOutputStream();
        private final ByteArrayOutputStream outbound = new ByteArrayOutputStream();

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof ByteBuf)
            {
                copy((ByteBuf)msg, inbound);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        {
            if (msg instanceof ByteBuf)
            {
                copy((ByteBuf)msg, outbound);
            }
            ctx.write(msg, promise);
        }

        private static void copy(final ByteBuf buffer, final ByteArrayOutputStream into)
        {
            final byte[] bytes = new byte[buffer.readableBytes()];
            buffer.getBytes(buffer.readerIndex(), bytes);
            synchronized (into)
            {
                into.writeBytes(bytes);
            }
        }

        byte[] inboundBytes()
        {
            synchronized (inbound)
            {
                return inbound.toByteArray();
            }
        }

        byte[] outboundBytes()
        {
            synchronized (outbound)
            {
                return outbound.toByteArray();
            }
        }
    }
}
