package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A consumer in a group that polls one topic on its own thread until stopped, and remembers every value it got: the
 * read half of a chaos test's load.
 */
public final class SteadyConsumer implements AutoCloseable
{
    private final List<String> received = new ArrayList<>();
    private final List<Exception> failures = new ArrayList<>();
    private final Thread thread;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean consuming = true;

    private SteadyConsumer(final String topic, final Map<String, Object> config)
    {
        thread = new Thread(() -> consume(topic, config), "steady-consumer-" + topic);
        thread.start();
    }

    /**
     * Starts consuming.
     *
     * @param topic  the topic.
     * @param config the consumer settings, with a group id.
     * @return the running consumer.
     */
    public static SteadyConsumer start(final String topic, final Map<String, Object> config)
    {
        return new SteadyConsumer(topic, config);
    }

    private void consume(final String topic, final Map<String, Object> config)
    {
        try (KafkaConsumer<String, String> running = new KafkaConsumer<>(config))
        {
            consumer = running;
            running.subscribe(List.of(topic));
            while (consuming)
            {
                for (final ConsumerRecord<String, String> record : running.poll(Duration.ofMillis(200)))
                {
                    synchronized (received)
                    {
                        received.add(record.value());
                    }
                }
            }
        }
        catch (final WakeupException stopping)
        {
            // close() woke the poll.
        }
        catch (final RuntimeException e)
        {
            synchronized (failures)
            {
                failures.add(e);
            }
        }
    }

    /**
     * Waits until every given value has been received.
     *
     * @param values  the values.
     * @param timeout how long to wait.
     */
    public void awaitReceived(final Collection<String> values, final Duration timeout)
    {
        await().atMost(timeout).until(() -> new HashSet<>(received()).containsAll(values));
    }

    /**
     * The values received so far, in order, duplicates included.
     *
     * @return a copy.
     */
    public List<String> received()
    {
        synchronized (received)
        {
            return List.copyOf(received);
        }
    }

    /**
     * What ended the consumer's thread, if anything did.
     *
     * @return the failures.
     */
    public List<Exception> failures()
    {
        synchronized (failures)
        {
            return List.copyOf(failures);
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        consuming = false;
        final KafkaConsumer<String, String> running = consumer;
        if (running != null)
        {
            running.wakeup();
        }
        thread.join(TimeUnit.MINUTES.toMillis(1));
    }
}
