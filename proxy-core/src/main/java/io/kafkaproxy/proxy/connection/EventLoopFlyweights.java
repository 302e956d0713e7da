package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.wire.ResponseHeaderFlyweight;
import io.kafkaproxy.protocol.responses.ResponseRewriters;
import io.kafkaproxy.protocol.responses.ResponseSplice;
import io.netty.util.concurrent.FastThreadLocal;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The flyweights, rewriters and scratch buffers that the connections of one event loop share.
 *
 * <p>Every use is synchronous inside one callback, so connections on the same loop can take turns with one set
 * instead of each carrying its own; that keeps an idle connection small. Confined to its event loop.
 */
final class EventLoopFlyweights
{
    private static final FastThreadLocal<EventLoopFlyweights> CURRENT = new FastThreadLocal<>()
    {
        @Override
        protected EventLoopFlyweights initialValue()
        {
            return new EventLoopFlyweights();
        }
    };

    final UnsafeBuffer responseView = new UnsafeBuffer(0, 0);
    final ResponseHeaderFlyweight responseHeader = new ResponseHeaderFlyweight();
    final ResponseRewriters rewriters = new ResponseRewriters();
    final ResponseSplice splice = new ResponseSplice();
    final ProduceRequestFlyweight produceRequest = new ProduceRequestFlyweight();

    private EventLoopFlyweights()
    {
    }

    /**
     * The set of the calling event loop.
     *
     * @return the calling thread's instance.
     */
    static EventLoopFlyweights current()
    {
        return CURRENT.get();
    }
}
