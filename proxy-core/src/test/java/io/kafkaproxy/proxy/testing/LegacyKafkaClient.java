package io.kafkaproxy.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * An old Apache Kafka Java client (0.11, 2.8, ...) loaded in its own class loader, so it can run beside the
 * current client, driven through reflection with only the api those versions share.
 *
 * <p>The jars come from {@code target/legacy-clients/<version>}, filled by the build.
 */
public final class LegacyKafkaClient implements AutoCloseable
{
    private final String version;
    private final URLClassLoader classLoader;

    private LegacyKafkaClient(final String version, final URLClassLoader classLoader)
    {
        this.version = version;
        this.classLoader = classLoader;
    }

    /**
     * Loads a client version.
     *
     * @param version the kafka-clients version, e.g. {@code 0.11.0.3}.
     * @return the client.
     */
    public static LegacyKafkaClient load(final String version)
    {
        final Path directory = Path.of(System.getProperty("legacy.clients.dir", "target/legacy-clients"), version);
        try (Stream<Path> jars = Files.list(directory))
        {
            final URL[] urls = jars.filter(path -> path.toString().endsWith(".jar")).map(LegacyKafkaClient::url).toArray(URL[]::new);
            // The platform loader as parent: nothing of the current Kafka client can leak in.
            return new LegacyKafkaClient(version, new URLClassLoader("kafka-clients-" + version, urls,
                ClassLoader.getPlatformClassLoader()));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("no jars for kafka-clients " + version + " in " + directory, e);
        }
    }

    /**
     * The client version.
     *
     * @return the version.
     */
    public String version()
    {
        return version;
    }

    /**
     * Produces string records and waits for every acknowledgement.
     *
     * @param bootstrapServers where to connect.
     * @param topic            the topic.
     * @param values           the record values, keyed by their index.
     * @param compression      the compression type ({@code none}, {@code gzip}).
     */
    public void produce(final String bootstrapServers, final String topic, final List<String> values, final String compression)
    {
        produce(bootstrapServers, topic, values, compression, Map.of());
    }

    /**
     * Produces string records with extra producer settings and waits for every acknowledgement.
     *
     * @param bootstrapServers where to connect.
     * @param topic            the topic.
     * @param values           the record values, keyed by their index.
     * @param compression      the compression type ({@code none}, {@code gzip}).
     * @param overrides        more producer settings ({@code client.id}, ...).
     */
    public void produce(
        final String bootstrapServers, final String topic, final List<String> values, final String compression,
        final Map<String, String> overrides)
    {
        withClientClassLoader(() ->
        {
            final Properties config = new Properties();
            config.putAll(overrides);
            config.put("bootstrap.servers", bootstrapServers);
            config.put("acks", "all");
            config.put("compression.type", compression);
            config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
            config.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
            final Class<?> producerClass = clientClass("org.apache.kafka.clients.producer.KafkaProducer");
            final Class<?> recordClass = clientClass("org.apache.kafka.clients.producer.ProducerRecord");
            final Object producer = producerClass.getConstructor(Properties.class).newInstance(config);
            try
            {
                final Method send = producerClass.getMethod("send", recordClass);
                final List<Future<?>> acks = new ArrayList<>();
                for (int i = 0; i < values.size(); i++)
                {
                    final Object record = recordClass.getConstructor(String.class, Object.class, Object.class)
                        .newInstance(topic, Integer.toString(i), values.get(i));
                    acks.add((Future<?>)send.invoke(producer, record));
                }
                for (final Future<?> ack : acks)
                {
                    ack.get();
                }
            }
            finally
            {
                producerClass.getMethod("close").invoke(producer);
            }
            return null;
        });
    }

    /**
     * Consumes a topic as a member of a group until some records arrived, then commits.
     *
     * @param bootstrapServers where to connect.
     * @param topic            the topic.
     * @param groupId          the group.
     * @param expected         how many records to wait for.
     * @return the values consumed.
     */
    public List<String> consumeInGroup(final String bootstrapServers, final String topic, final String groupId, final int expected)
    {
        return consumeInGroup(bootstrapServers, topic, groupId, expected, Map.of());
    }

    /**
     * Consumes a topic as a member of a group, with extra consumer settings, until some records arrived, then commits.
     *
     * @param bootstrapServers where to connect.
     * @param topic            the topic.
     * @param groupId          the group.
     * @param expected         how many records to wait for.
     * @param overrides        more consumer settings ({@code security.protocol}, ...).
     * @return the values consumed.
     */
    public List<String> consumeInGroup(
        final String bootstrapServers, final String topic, final String groupId, final int expected, final Map<String, String> overrides)
    {
        return withClientClassLoader(() ->
        {
            final Properties config = new Properties();
            config.putAll(overrides);
            config.put("bootstrap.servers", bootstrapServers);
            config.put("group.id", groupId);
            config.put("auto.offset.reset", "earliest");
            config.put("enable.auto.commit", "false");
            config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
            config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
            final Class<?> consumerClass = clientClass("org.apache.kafka.clients.consumer.KafkaConsumer");
            final Class<?> recordClass = clientClass("org.apache.kafka.clients.consumer.ConsumerRecord");
            final Object consumer = consumerClass.getConstructor(Properties.class).newInstance(config);
            final List<String> values = new ArrayList<>();
            try
            {
                consumerClass.getMethod("subscribe", Collection.class).invoke(consumer, List.of(topic));
                // poll(long) is the one poll every version before 4.0 has.
                final Method poll = consumerClass.getMethod("poll", long.class);
                final Method value = recordClass.getMethod("value");
                await().atMost(Duration.ofSeconds(60)).until(() -> withClientClassLoader(() ->
                {
                    for (final Object record : (Iterable<?>)poll.invoke(consumer, 500L))
                    {
                        values.add((String)value.invoke(record));
                    }
                    return values.size() >= expected;
                }));
                consumerClass.getMethod("commitSync").invoke(consumer);
            }
            finally
            {
                consumerClass.getMethod("close").invoke(consumer);
            }
            return values;
        });
    }

    private Class<?> clientClass(final String name) throws ClassNotFoundException
    {
        return Class.forName(name, true, classLoader);
    }

    private <T> T withClientClassLoader(final Callable<T> action)
    {
        // Kafka loads serializers by name through the context class loader.
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try
        {
            return action.call();
        }
        catch (final RuntimeException e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            throw new IllegalStateException("kafka-clients " + version + " failed: " + e, e);
        }
        finally
        {
            thread.setContextClassLoader(previous);
        }
    }

    private static URL url(final Path path)
    {
        try
        {
            return path.toUri().toURL();
        }
        catch (final MalformedURLException e)
        {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() throws IOException
    {
        classLoader.close();
    }
}
