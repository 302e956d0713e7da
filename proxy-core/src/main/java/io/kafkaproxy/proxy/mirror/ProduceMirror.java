package io.kafkaproxy.proxy.mirror;

import io.kafkaproxy.mempool.MemoryPool;
import io.kafkaproxy.mempool.MemoryPoolSettings;
import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.MirrorConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import io.kafkaproxy.proxy.memory.PoolByteBufAllocator;
import io.kafkaproxy.proxy.metrics.MirrorMetrics;
import io.kafkaproxy.proxy.policy.TopicIdNames;
import io.kafkaproxy.proxy.tls.BrokerTlsContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster's produce mirror: its memory slice (a {@link MemoryPool} of its own, sized {@code mirror.memory},
 * taken out of {@code memory.poolSize}), its meters, the {@link MirrorTap} the cluster's connections offer their
 * Produce requests to, and the {@link MirrorSender} on one event loop.
 *
 * <p>Why a pool of its own rather than a byte count over the frames' pool: the slice is then a hard bound the
 * pool enforces (an allocation past it is refused, never waited for), the copies cannot take memory the clients'
 * frames need, and its stats (in use, high-water mark) show the bound held. Built and closed by the lifecycle
 * thread; the tap is used by the client event loops, the sender by its own.
 */
public final class ProduceMirror implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ProduceMirror.class);

    private final MemoryPool slice;
    private final MirrorMetrics metrics;
    private final MirrorSender sender;
    private final ShadowCopyTap tap;

    /**
     * Builds the mirror; nothing connects until {@link #start()}.
     *
     * @param config               the {@code mirror} section.
     * @param memory               the {@code memory} section, for the chunk size and backing.
     * @param cluster              the cluster's name, the {@code cluster} label.
     * @param loop                 the sender's event loop.
     * @param bootstrap            a client bootstrap with channel type, resolver and connect timeout set.
     * @param topicIds             the topic names the proxy learnt by id, for Produce v13+.
     * @param registry             where the meters live.
     * @param maxResponseSizeBytes the largest answer accepted from the shadow.
     * @throws IllegalArgumentException naming {@code mirror.tls} or {@code mirror.sasl} when their files do not load.
     */
    public ProduceMirror(
        final MirrorConfig config,
        final MemoryConfig memory,
        final String cluster,
        final EventLoop loop,
        final Bootstrap bootstrap,
        final TopicIdNames topicIds,
        final MeterRegistry registry,
        final int maxResponseSizeBytes)
    {
        // The files first: a TLS or password file that does not load must not leave the slice's memory allocated.
        final BrokerTlsContext tls = config.tls() == null ? null : BrokerTlsContext.compile(config.tls(), "mirror.tls");
        final BrokerLoginCredentials login = config.sasl() == null ? null : BrokerLoginCredentials.compile(config.sasl(), "mirror.sasl");
        // One chunk of read reserve per loop: the slice is not read into, only copied into.
        this.slice = new MemoryPool(new MemoryPoolSettings(ProxyConfig.mirrorSliceBytes(config, memory),
            memory.chunkSizeBytes(), memory.chunkSizeBytes(),
            memory.backing() == MemoryConfig.Backing.DIRECT ? MemoryPoolSettings.Backing.DIRECT : MemoryPoolSettings.Backing.MAPPED_FILE,
            memory.mappedFileDirectory()));
        this.metrics = new MirrorMetrics(registry, cluster, slice);
        final MirrorTopicMatcher topics = new MirrorTopicMatcher(config.topics());
        this.sender = new MirrorSender(config, loop, bootstrap, tls, login, metrics, topics, maxResponseSizeBytes,
            config.requestTimeout().toMillis());
        this.tap = new ShadowCopyTap(topics, topicIds, new PoolByteBufAllocator(slice), sender, metrics);
        LOGGER.atInfo()
            .addKeyValue("bootstrapServers", config.bootstrapServers())
            .addKeyValue("topics", config.topics())
            .addKeyValue("memoryBytes", slice.stats().capacityBytes())
            .addKeyValue("acks", config.acks())
            .log("produce mirroring configured");
    }

    /**
     * Starts learning the shadow's metadata.
     */
    public void start()
    {
        sender.start();
    }

    /**
     * The tap the cluster's connections offer their Produce requests to.
     *
     * @return the tap.
     */
    public MirrorTap tap()
    {
        return tap;
    }

    /**
     * Whether copies are taken now: the shadow's metadata is known and its bootstrap servers answer.
     *
     * @return true when mirroring.
     */
    public boolean accepting()
    {
        return sender.accepting();
    }

    /**
     * The mirror's meters.
     *
     * @return the meters.
     */
    public MirrorMetrics metrics()
    {
        return metrics;
    }

    /**
     * The mirror's memory slice, whose stats show what the copies hold.
     *
     * @return the slice.
     */
    public MemoryPool slice()
    {
        return slice;
    }

    /**
     * Closes the sender's connections and frees the slice's cached memory; copies still held are freed with their
     * last buffer. Called once the cluster's client connections are closed.
     */
    @Override
    public void close()
    {
        sender.close();
        slice.close();
    }
}
