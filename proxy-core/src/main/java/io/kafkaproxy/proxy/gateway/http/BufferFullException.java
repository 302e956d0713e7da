package io.kafkaproxy.proxy.gateway.http;

import org.apache.kafka.common.errors.RetriableException;

/**
 * A record not handed to Kafka because the gateway's producer buffer was full: retriable, as a full producer buffer
 * is for a Kafka client. A stackless singleton: it is an expected outcome under load.
 */
final class BufferFullException extends RetriableException
{
    /** The one instance. */
    static final BufferFullException INSTANCE = new BufferFullException();

    private static final long serialVersionUID = 1L;

    private BufferFullException()
    {
        super("the gateway's producer buffer is full; retry later");
    }

    @Override
    public synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
