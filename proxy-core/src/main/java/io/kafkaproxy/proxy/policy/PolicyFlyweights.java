package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.requests.FetchRequestFlyweight;
import io.kafkaproxy.protocol.responses.MetadataResponseFlyweight;
import io.kafkaproxy.protocol.requests.ProduceRequestFlyweight;
import io.kafkaproxy.protocol.responses.ThrottleTimeLocator;
import io.kafkaproxy.protocol.sasl.SaslAuthenticateRequestFlyweight;
import io.netty.util.concurrent.FastThreadLocal;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The flyweights and scratch state the policies of one event loop's connections share, so an idle connection
 * carries none of them. Every use is synchronous inside one callback. Confined to its event loop.
 */
final class PolicyFlyweights
{
    private static final FastThreadLocal<PolicyFlyweights> CURRENT = new FastThreadLocal<>()
    {
        @Override
        protected PolicyFlyweights initialValue()
        {
            return new PolicyFlyweights();
        }
    };

    final ProduceRequestFlyweight produceRequest = new ProduceRequestFlyweight();
    final FetchRequestFlyweight fetchRequest = new FetchRequestFlyweight();
    final MetadataResponseFlyweight metadataResponse = new MetadataResponseFlyweight();
    final SaslAuthenticateRequestFlyweight saslAuthenticate = new SaslAuthenticateRequestFlyweight();
    final ThrottleTimeLocator throttleTimeLocator = new ThrottleTimeLocator();
    final UnsafeBuffer responseView = new UnsafeBuffer(0, 0);
    final PolicyOutcome outcome = new PolicyOutcome();

    private PolicyFlyweights()
    {
    }

    static PolicyFlyweights current()
    {
        return CURRENT.get();
    }
}
