package io.kafkaproxy.proxy.routing;

import io.kafkaproxy.protocol.responses.BrokerEndpointMapper;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The broker nodes the proxy has seen, the proxy port each is advertised under, and the state of each node's
 * listener.
 *
 * <p>Nodes are learnt from the responses the proxy rewrites: the first time a node id appears, it is given a
 * port and its listener is started; until that listener is bound the node's endpoints answer
 * {@link #PORT_PENDING} and the connection holds the response, so a client is never told of a port that refuses
 * it. A node whose broker address changes keeps its proxy port; new connections go to the new address.
 *
 * <p>On a listener routed by SNI ({@link #sharedPort}) no node has a listener of its own: every node is advertised
 * under its own host name from {@link SniHostNames} and the listener's one port, and is listening as soon as it is
 * known.
 *
 * <p>Shared by every event loop, because a node learnt on one loop must be reachable from all of them. Reads
 * are the hot path (every rewritten endpoint) and go to a {@link ConcurrentHashMap} of immutable records without
 * locking. Registration and listener completion are rare (once per node) and synchronize on the registry; the
 * readiness promise completes on the acceptor's executor and waiters hop back to their own loop.
 */
public final class BrokerNodeRegistry implements BrokerEndpointMapper
{
    private static final Logger LOGGER = LoggerFactory.getLogger(BrokerNodeRegistry.class);

    /**
     * What the registry knows of one node. Immutable.
     *
     * @param nodeId     the broker's node id.
     * @param brokerHost the host the broker advertises.
     * @param brokerPort the port the broker advertises.
     * @param proxyPort  the proxy port clients are given, or -1 when none could be found.
     * @param state      whether the node's listener accepts connections.
     */
    public record BrokerNode(int nodeId, String brokerHost, int brokerPort, int proxyPort, ListenerState state)
    {
        BrokerNode withBrokerAddress(final String host, final int port)
        {
            return new BrokerNode(nodeId, host, port, proxyPort, state);
        }

        BrokerNode withListener(final int port, final ListenerState newState)
        {
            return new BrokerNode(nodeId, brokerHost, brokerPort, port, newState);
        }
    }

    /**
     * The lifecycle of a node's listener.
     */
    public enum ListenerState
    {
        /** Being bound. */
        STARTING,
        /** Bound and accepting connections. */
        LISTENING,
        /** No port could be bound; the node cannot be advertised. */
        FAILED
    }

    // A node whose broker address was forgotten (a failover): no broker advertises port -1, so it is learnt again.
    private static final String FORGOTTEN_HOST = "";
    private static final int FORGOTTEN_PORT = -1;

    private final String advertisedHost;
    private final SniHostNames hostNames;
    private final ConcurrentHashMap<Integer, String> nodeHosts = new ConcurrentHashMap<>();
    // The one port of an SNI listener, set once it is bound and before any node is learnt; 0 otherwise.
    private volatile int sharedPort;
    private final NodePortAllocator portAllocator;
    private final boolean ephemeralPorts;
    private final NodeListenerStarter listenerStarter;
    private final EventExecutor notifier;
    private final ConcurrentHashMap<Integer, BrokerNode> nodes = new ConcurrentHashMap<>();
    // Set once at start, before any response is rewritten; null: the brokers' own cluster id is kept.
    private volatile Supplier<String> clusterIds;
    // Set once at start, before any node is learnt; read only when a node is new or has moved.
    private volatile List<BrokerNodeRegistry> peers = List.of();
    private int startingListeners;
    private Promise<Void> listenersReady;

    /**
     * Creates an empty registry.
     *
     * @param advertisedHost  the host clients are given for every node.
     * @param firstNodePort   the first port of the node range, or 0 for ephemeral ports.
     * @param nodePortCount   the number of ports in the range.
     * @param listenerStarter binds node listeners.
     * @param notifier        the executor that completes readiness futures.
     */
    public BrokerNodeRegistry(
        final String advertisedHost,
        final int firstNodePort,
        final int nodePortCount,
        final NodeListenerStarter listenerStarter,
        final EventExecutor notifier)
    {
        this(advertisedHost, null, firstNodePort, nodePortCount, listenerStarter, notifier);
    }

    private BrokerNodeRegistry(
        final String advertisedHost,
        final SniHostNames hostNames,
        final int firstNodePort,
        final int nodePortCount,
        final NodeListenerStarter listenerStarter,
        final EventExecutor notifier)
    {
        this.advertisedHost = advertisedHost;
        this.hostNames = hostNames;
        this.ephemeralPorts = firstNodePort == 0;
        this.portAllocator = new NodePortAllocator(firstNodePort, ephemeralPorts ? 0 : nodePortCount);
        this.listenerStarter = listenerStarter;
        this.notifier = notifier;
    }

    /**
     * Creates the empty registry of a listener routed by SNI: every node is advertised under its own name and the
     * listener's one port, given by {@link #listenOnSharedPort} once it is bound.
     *
     * @param hostNames the bootstrap host and the nodes' host names.
     * @param notifier  the executor that completes readiness futures.
     * @return the registry.
     */
    public static BrokerNodeRegistry sharedPort(final SniHostNames hostNames, final EventExecutor notifier)
    {
        return new BrokerNodeRegistry(hostNames.bootstrapHost(), hostNames, 0, 0, null, notifier);
    }

    /**
     * Sets the port every node of an SNI listener is advertised under: the listener's bound port. Called once,
     * before any node is learnt.
     *
     * @param port the bound port.
     */
    public void listenOnSharedPort(final int port)
    {
        this.sharedPort = port;
    }

    /**
     * Makes the rewritten responses present a cluster id of the proxy's in place of the brokers' (KIP-1242): the
     * virtual cluster's, which changes when it switches upstream. Called once, before any response is rewritten.
     *
     * @param source the id clients should see now.
     */
    public void presentClusterId(final Supplier<String> source)
    {
        this.clusterIds = source;
    }

    @Override
    public String clusterId()
    {
        final Supplier<String> source = clusterIds;
        return source == null ? null : source.get();
    }

    @Override
    public String advertisedHost()
    {
        return advertisedHost;
    }

    @Override
    public String advertisedHost(final int nodeId)
    {
        if (hostNames == null)
        {
            return advertisedHost;
        }
        final String host = nodeHosts.get(nodeId);
        return host != null ? host : nodeHosts.computeIfAbsent(nodeId, hostNames::nodeHost);
    }

    @Override
    public int proxyPort(final int nodeId, final String brokerHost, final int brokerPort)
    {
        final BrokerNode node = nodes.get(nodeId);
        if (node != null && node.state() == ListenerState.LISTENING && node.brokerPort() == brokerPort &&
            node.brokerHost().equals(brokerHost))
        {
            return node.proxyPort();
        }
        final int port = register(nodeId, brokerHost, brokerPort);
        // Outside this registry's lock: two registries learning from each other at once must not deadlock.
        for (final BrokerNodeRegistry peer : peers)
        {
            if (peer != this)
            {
                peer.register(nodeId, brokerHost, brokerPort);
            }
        }
        return port;
    }

    /**
     * Makes registries share the nodes they learn: whichever learns or sees a node move tells the others, which
     * then start their own listener for it. Called once, before any node is learnt.
     *
     * @param registries the registries of one cluster's listeners.
     */
    public static void shareNodes(final List<BrokerNodeRegistry> registries)
    {
        final List<BrokerNodeRegistry> all = List.copyOf(registries);
        for (final BrokerNodeRegistry registry : all)
        {
            registry.peers = all;
        }
    }

    /**
     * Forgets the broker address of every node, keeping its proxy port and listener: after a failover the nodes of the
     * upstream left are not reached any more, and the new upstream's nodes take the ports of their node ids as they
     * are learnt (discovery or a rewritten response), so clients see the same addresses. Until a node is learnt
     * again, a connection to its port finds no broker and is closed.
     */
    public synchronized void forgetBrokerAddresses()
    {
        for (final BrokerNode node : nodes.values())
        {
            nodes.put(node.nodeId(), node.withBrokerAddress(FORGOTTEN_HOST, FORGOTTEN_PORT));
        }
    }

    /**
     * The address a node's connections go to.
     *
     * @param nodeId the broker node id.
     * @return the broker's advertised address, unresolved; null if the node is not known.
     */
    public InetSocketAddress brokerAddress(final int nodeId)
    {
        final BrokerNode node = nodes.get(nodeId);
        return node == null || node.brokerPort() == FORGOTTEN_PORT ? null :
            InetSocketAddress.createUnresolved(node.brokerHost(), node.brokerPort());
    }

    /**
     * A future that completes when no node listener is being started: the moment to retry a held response.
     *
     * @return a future completing on the notifier; already complete when nothing is starting.
     */
    public synchronized Future<Void> listenersReady()
    {
        return startingListeners == 0 ? notifier.newSucceededFuture(null) : listenersReady;
    }

    /**
     * A snapshot of the known nodes, by node id.
     *
     * @return the nodes.
     */
    public List<BrokerNode> nodes()
    {
        final List<BrokerNode> snapshot = new ArrayList<>(nodes.values());
        snapshot.sort(Comparator.comparingInt(BrokerNode::nodeId));
        return snapshot;
    }

    private synchronized int register(final int nodeId, final String brokerHost, final int brokerPort)
    {
        BrokerNode node = nodes.get(nodeId);
        if (node == null && hostNames != null)
        {
            LOGGER.atInfo()
                .addKeyValue("nodeId", nodeId)
                .addKeyValue("brokerAddress", brokerHost + ":" + brokerPort)
                .addKeyValue("advertisedAddress", advertisedHost(nodeId) + ":" + sharedPort)
                .log("broker node advertised by name");
            nodes.put(nodeId, new BrokerNode(nodeId, brokerHost, brokerPort, sharedPort, ListenerState.LISTENING));
            return sharedPort;
        }
        if (node == null)
        {
            final int port = ephemeralPorts ? 0 : portAllocator.allocate(nodeId);
            if (port == NodePortAllocator.NO_PORT)
            {
                LOGGER.atError()
                    .addKeyValue("nodeId", nodeId)
                    .addKeyValue("brokerAddress", brokerHost + ":" + brokerPort)
                    .log("no free proxy port for broker node; widen the node port range");
                nodes.put(nodeId, new BrokerNode(nodeId, brokerHost, brokerPort, -1, ListenerState.FAILED));
                return PORT_UNAVAILABLE;
            }
            nodes.put(nodeId, new BrokerNode(nodeId, brokerHost, brokerPort, port, ListenerState.STARTING));
            startListener(nodeId, port);
            return PORT_PENDING;
        }
        if (node.brokerPort() != brokerPort || !node.brokerHost().equals(brokerHost))
        {
            LOGGER.atInfo()
                .addKeyValue("nodeId", nodeId)
                .addKeyValue("brokerAddress", brokerHost + ":" + brokerPort)
                .log("broker node address changed");
            node = node.withBrokerAddress(brokerHost, brokerPort);
            nodes.put(nodeId, node);
        }
        switch (node.state())
        {
            case LISTENING:
                return node.proxyPort();
            case STARTING:
                return PORT_PENDING;
            default:
                return PORT_UNAVAILABLE;
        }
    }

    private void startListener(final int nodeId, final int port)
    {
        startingListeners++;
        if (listenersReady == null)
        {
            listenersReady = notifier.newPromise();
        }
        listenerStarter.startNodeListener(nodeId, port).addListener(future -> onListenerStarted(nodeId, port, future));
    }

    private void onListenerStarted(final int nodeId, final int requestedPort, final Future<?> future)
    {
        final Promise<Void> ready;
        synchronized (this)
        {
            final BrokerNode node = nodes.get(nodeId);
            if (future.isSuccess())
            {
                final int boundPort = (Integer)future.getNow();
                nodes.put(nodeId, node.withListener(boundPort, ListenerState.LISTENING));
                LOGGER.atInfo()
                    .addKeyValue("nodeId", nodeId)
                    .addKeyValue("brokerAddress", node.brokerHost() + ":" + node.brokerPort())
                    .addKeyValue("advertisedAddress", advertisedHost + ":" + boundPort)
                    .log("broker node listener bound");
            }
            else
            {
                final int nextPort = ephemeralPorts ? NodePortAllocator.NO_PORT : portAllocator.allocate(nodeId);
                // The cause names the address and why (the listener binder says so); its stack trace only helps
                // someone debugging the proxy itself.
                final LoggingEventBuilder line = LOGGER.atError();
                (LOGGER.isDebugEnabled() ? line.setCause(future.cause()) : line)
                    .addKeyValue("nodeId", nodeId)
                    .addKeyValue("port", requestedPort)
                    .addKeyValue("nextPort", nextPort)
                    .addKeyValue("error", String.valueOf(future.cause()))
                    .log("broker node listener failed to bind");
                if (nextPort == NodePortAllocator.NO_PORT)
                {
                    nodes.put(nodeId, node.withListener(-1, ListenerState.FAILED));
                }
                else
                {
                    nodes.put(nodeId, node.withListener(nextPort, ListenerState.STARTING));
                    startListener(nodeId, nextPort);
                }
            }
            startingListeners--;
            if (startingListeners > 0)
            {
                return;
            }
            ready = listenersReady;
            listenersReady = null;
        }
        ready.trySuccess(null);
    }
}
