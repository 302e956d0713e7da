package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A producer that sends numbered records to one topic on its own thread until stopped, with a bounded number in
 * flight, and remembers which were acknowledged and which failed: the load under which a chaos test breaks things.
 */
public final class SteadyProducer implements AutoCloseable
{
    private static final int MAX_IN_FLIGHT = 200;

    private final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    private final Queue<Exception> failures = new ConcurrentLinkedQueue<>();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Thread thread;
    private volatile boolean producing = true;

    private SteadyProducer(final String topic, final Map<String, Object> config)
    {
        thread = new Thread(() -> produce(topic, config), "steady-producer-" + topic);
        thread.start();
    }

    /**
     * Starts producing.
     *
     * @param topic  the topic.
     * @param config the producer settings.
     * @return the running producer.
     */
    public static SteadyProducer start(final String topic, final Map<String, Object> config)
    {
        return new SteadyProducer(topic, config);
    }

    private void produce(final String topic, final Map<String, Object> config)
    {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config))
        {
            long sequence = 0;
            while (producing)
            {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final String value = topic + "-" + sequence++;
                producer.send(new ProducerRecord<>(topic, value), (metadata, error) ->
                {
                    inFlight.release();
                    if (error == null)
                    {
                        acknowledged.add(value);
                    }
                    else
                    {
                        failures.add(error);
                    }
                });
            }
            producer.flush();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until more records than now are acknowledged.
     *
     * @param more    how many more.
     * @param timeout how long to wait.
     */
    public void awaitMoreAcknowledged(final int more, final Duration timeout)
    {
        final int target = acknowledged.size() + more;
        await().atMost(timeout).until(() -> acknowledged.size() >= target);
    }

    /**
     * The values acknowledged so far.
     *
     * @return a copy.
     */
    public List<String> acknowledged()
    {
        return List.copyOf(acknowledged);
    }

    /**
     * The sends that failed so far.
     *
     * @return a copy.
     */
    public List<Exception> failures()
    {
        return List.copyOf(failures);
    }

    /**
     * Stops sending, waits for every record in flight, and closes the producer.
     */
    @Override
    public void close() throws InterruptedException
    {
        producing = false;
        thread.join(TimeUnit.MINUTES.toMillis(3));
    }
}
