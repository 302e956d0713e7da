package io.kafkaproxy.proxy.gateway;

import io.kafkaproxy.proxy.config.GatewayConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one producer of an upstream cluster that every HTTP and MQTT client of the gateway writes through: Kafka's own
 * {@link KafkaProducer} (idempotent, {@code acks=all}, batching with linger, compression), so that thousands of
 * gateway clients cost the brokers one connection each, and a record is acknowledged to its client only once Kafka has
 * it.
 *
 * <p><b>Never blocking an event loop.</b> {@code KafkaProducer.send} may block on metadata for a topic it has not seen
 * and on buffer space; so records are handed to one {@code gateway-producer} thread that calls it, and a record is
 * only handed over once its topic is known to exist ({@link TopicCatalog}; a missing topic fails the record at once).
 *
 * <p><b>A byte budget, not a queue without end.</b> The bytes of records handed over and not yet acknowledged are
 * counted against {@code gateway.producer.bufferMemory} (a slice of the proxy's memory budget); a record that would
 * exceed it is refused ({@link #trySend} returns false): HTTP answers 429, MQTT pauses reading until
 * {@link #whenBufferAvailable} runs. The producer's own {@code buffer.memory} is set above the budget, so its
 * {@code send} never waits for space either.
 */
public final class GatewayProducer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(GatewayProducer.class);
    /** Per-record overhead counted beside key, value and headers: the producer's own record and batch bookkeeping. */
    private static final int RECORD_OVERHEAD_BYTES = 64;

    /**
     * A record's outcome.
     */
    @FunctionalInterface
    public interface Callback
    {
        /**
         * The record was acknowledged, or failed. Runs on a producer thread: hop to the client's event loop.
         *
         * @param metadata its partition and offset; null on failure.
         * @param error    Kafka's exception; null on success.
         */
        void onCompletion(RecordMetadata metadata, Exception error);
    }

    // Replaced on the sender thread when the cluster switches upstream; read by the meters from any thread.
    private volatile KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Object> producerSettings;
    private final TopicCatalog topics;
    private final long budgetBytes;
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final ExecutorService sender;
    private final Map<String, ArrayDeque<PendingSend>> waitingForTopic = new HashMap<>();

    /**
     * Starts the producer.
     *
     * @param clientProperties the upstream connection settings ({@link UpstreamClientProperties}).
     * @param settings         {@code gateway.producer}.
     * @param topics           the cluster's topic catalog, to refuse records for missing topics without waiting.
     */
    public GatewayProducer(final Map<String, Object> clientProperties, final GatewayConfig.Producer settings, final TopicCatalog topics)
    {
        this.topics = topics;
        this.budgetBytes = settings.bufferMemoryBytes();
        final Map<String, Object> properties = new HashMap<>();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, (int)settings.linger().toMillis());
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchSizeBytes());
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        // Room above the budget: the producer's pool must never be what makes send() wait.
        properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, budgetBytes + budgetBytes / 4 + settings.batchSizeBytes());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(settings.maxRecordBytes(), settings.batchSizeBytes()));
        final long delivery = settings.deliveryTimeout().toMillis();
        final long linger = settings.linger().toMillis();
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)Math.min(Integer.MAX_VALUE, delivery));
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)Math.max(1, Math.min(30_000, delivery - linger)));
        // Metadata for a topic the catalog has seen arrives in one round trip; this bounds the wait if it does not.
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int)Math.min(Integer.MAX_VALUE, Math.min(delivery, 10_000)));
        this.producerSettings = Map.copyOf(properties);
        this.producer = newProducer(clientProperties);
        this.sender = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "gateway-producer");
            thread.setDaemon(true);
            return thread;
        });
    }

    private KafkaProducer<byte[], byte[]> newProducer(final Map<String, Object> clientProperties)
    {
        final Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.putAll(producerSettings);
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Moves the producer to another upstream cluster (the cluster failed over or back). The producer of the upstream
     * left is closed at once, without waiting ({@code close(Duration.ZERO)}): nothing more is sent to it, and the
     * records it holds that the cluster left has not acknowledged fail (their clients get the error a closed producer
     * maps to). A new producer for the now-active upstream is built on the sender thread before the records handed
     * over after this call, which therefore wait for it rather than fail. Any thread but the sender.
     *
     * @param clientProperties the now-active upstream's connection settings ({@link UpstreamClientProperties}).
     */
    public void switchUpstream(final Map<String, Object> clientProperties)
    {
        final KafkaProducer<byte[], byte[]> left = producer;
        try
        {
            // Queued first, so that records handed over from now on are sent by the new producer. The previous one is
            // closed again here: after two quick switches it is the one the first switch built, not the one left.
            sender.execute(() ->
            {
                producer.close(Duration.ZERO);
                producer = newProducer(clientProperties);
            });
        }
        catch (final RejectedExecutionException closed)
        {
            return;
        }
        // Fences the upstream left: its sender thread stops, its unsent batches fail, a send() waiting for metadata wakes.
        left.close(Duration.ZERO);
    }

    /**
     * Hands a record to Kafka, unless the budget is spent.
     *
     * @param record   the record; its partition, if set, must exist.
     * @param callback told of the outcome, exactly once when this returns true.
     * @return false, without calling the callback, if the record does not fit in the budget now: the caller answers
     *         "try later" (HTTP 429) or pauses its reads ({@link #whenBufferAvailable}).
     */
    public boolean trySend(final ProducerRecord<byte[], byte[]> record, final Callback callback)
    {
        final long size = sizeOf(record);
        long buffered;
        do
        {
            buffered = bufferedBytes.get();
            if (buffered + size > budgetBytes && buffered > 0)
            {
                return false;
            }
        }
        while (!bufferedBytes.compareAndSet(buffered, buffered + size));
        handOver(record, size, callback);
        return true;
    }

    /**
     * Hands a record to the sender once its topic is known, in the order records were given: a description still
     * pending would otherwise release its waiters in the reverse order they registered (CompletableFuture runs
     * dependents last-in first-out), and a client's records to one partition would reach Kafka out of order. Records
     * of a topic whose description is pending wait in that topic's queue, and so do the ones that follow while it
     * drains; the lock is held only to queue or to hand over (a non-blocking {@code execute}).
     */
    private void handOver(final ProducerRecord<byte[], byte[]> record, final long size, final Callback callback)
    {
        final String topic = record.topic();
        final CompletableFuture<?> description = topics.describe(topic);
        synchronized (waitingForTopic)
        {
            final ArrayDeque<PendingSend> queue = waitingForTopic.get(topic);
            if (queue != null)
            {
                queue.add(new PendingSend(record, size, callback));
                return;
            }
            if (description.isDone())
            {
                dispatch(record, size, callback, description);
                return;
            }
            final ArrayDeque<PendingSend> created = new ArrayDeque<>();
            created.add(new PendingSend(record, size, callback));
            waitingForTopic.put(topic, created);
        }
        description.whenComplete((ignored, error) ->
        {
            synchronized (waitingForTopic)
            {
                final ArrayDeque<PendingSend> queue = waitingForTopic.remove(topic);
                for (final PendingSend pending : queue)
                {
                    dispatch(pending.record(), pending.size(), pending.callback(), description);
                }
            }
        });
    }

    private void dispatch(
        final ProducerRecord<byte[], byte[]> record, final long size, final Callback callback, final CompletableFuture<?> description)
    {
        if (description.isCompletedExceptionally())
        {
            release(size);
            callback.onCompletion(null, unwrap(description.handle((ignored, error) -> error).join()));
            return;
        }
        try
        {
            sender.execute(() -> send(record, size, callback));
        }
        catch (final RejectedExecutionException closed)
        {
            release(size);
            callback.onCompletion(null, closed);
        }
    }

    private record PendingSend(ProducerRecord<byte[], byte[]> record, long size, Callback callback)
    {
    }

    private void send(final ProducerRecord<byte[], byte[]> record, final long size, final Callback callback)
    {
        try
        {
            producer.send(record, (metadata, error) ->
            {
                release(size);
                callback.onCompletion(error == null ? metadata : null, error);
            });
        }
        catch (final RuntimeException e)
        {
            // Serialization, a record too large, a closed producer, metadata that did not come: this record fails.
            release(size);
            callback.onCompletion(null, e);
        }
    }

    /**
     * Runs a task once the budget has room again (at once if it has room now): how a reader paused by a refused
     * {@link #trySend} resumes. The task runs on a producer thread.
     *
     * @param task the task.
     */
    public void whenBufferAvailable(final Runnable task)
    {
        waiting.add(task);
        if (bufferedBytes.get() < budgetBytes)
        {
            runWaiting();
        }
    }

    /**
     * The bytes handed over and not yet acknowledged.
     *
     * @return the bytes.
     */
    public long bufferedBytes()
    {
        return bufferedBytes.get();
    }

    /**
     * The producer's connections to the brokers, as Kafka counts them (its bootstrap connection included until it
     * idles out).
     *
     * @return the count.
     */
    public double upstreamConnections()
    {
        return KafkaClientMetrics.connectionCount(producer.metrics(), "producer-metrics");
    }

    /**
     * The budget.
     *
     * @return {@code gateway.producer.bufferMemory} in bytes.
     */
    public long budgetBytes()
    {
        return budgetBytes;
    }

    private void release(final long size)
    {
        bufferedBytes.addAndGet(-size);
        if (!waiting.isEmpty())
        {
            runWaiting();
        }
    }

    private void runWaiting()
    {
        Runnable task;
        while ((task = waiting.poll()) != null)
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException e)
            {
                LOGGER.atWarn().setCause(e).log("a task waiting for gateway producer buffer failed");
            }
        }
    }

    static long sizeOf(final ProducerRecord<byte[], byte[]> record)
    {
        long size = RECORD_OVERHEAD_BYTES;
        size += record.key() == null ? 0 : record.key().length;
        size += record.value() == null ? 0 : record.value().length;
        for (final Header header : record.headers())
        {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static Exception unwrap(final Throwable error)
    {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause instanceof Exception exception ? exception : new RuntimeException(cause);
    }

    /**
     * Sends what is buffered and waits for it (up to a timeout), then closes the producer.
     *
     * @param timeout how long to wait for records in flight.
     */
    public void close(final Duration timeout)
    {
        sender.shutdown();
        try
        {
            sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
    }

    @Override
    public void close()
    {
        close(Duration.ofSeconds(5));
    }
}
