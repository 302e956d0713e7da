package io.kafkaproxy.proxy.cli;

import io.kafkaproxy.proxy.config.AdminConfig;
import io.kafkaproxy.proxy.config.ConfigException;
import io.kafkaproxy.proxy.config.ConfigParser;
import io.kafkaproxy.proxy.config.HostPort;
import io.kafkaproxy.proxy.config.HttpConfig;
import io.kafkaproxy.proxy.config.MqttConfig;
import io.kafkaproxy.proxy.config.BrokerClusterConfig;
import io.kafkaproxy.proxy.config.ListenerConfig;
import io.kafkaproxy.proxy.config.LoggingConfig;
import io.kafkaproxy.proxy.config.MemoryConfig;
import io.kafkaproxy.proxy.config.NetworkConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.config.ProxyConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The options that build a configuration: a file, and flags that override its common keys.
 */
final class ProxyOptions
{
    private static final String POOL_SIZE = "--pool-size";
    private static final String MAX_REQUEST_SIZE = "--max-request-size";
    private static final String MAX_RESPONSE_SIZE = "--max-response-size";
    private static final String TRANSPORT = "--transport";
    private static final String TLS_CERT = "--tls-cert";
    private static final String TLS_KEY = "--tls-key";
    private static final String TLS_CLIENT_CA = "--tls-client-ca";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file.")
    Path configFile;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "Upstream bootstrap servers (upstream.bootstrapServers).")
    String bootstrapServers;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "Bootstrap listener address (listener.bindAddress). Default 0.0.0.0:9092.")
    HostPort listen;

    @Option(names = "--advertised-host", paramLabel = "HOST",
        description = "Host clients are given for every broker (listener.advertisedHost).")
    String advertisedHost;

    @Option(names = "--io-threads", paramLabel = "N",
        description = "Event loop threads (network.ioThreads); 0 for one per core.")
    Integer ioThreads;

    @Option(names = TRANSPORT, paramLabel = "auto|epoll|io_uring|nio",
        description = "Socket transport (network.transport). Default auto: epoll where it loads, else NIO. io_uring falls " +
            "back to epoll, logged, where the kernel does not allow it.")
    String transport;

    @Option(names = POOL_SIZE, paramLabel = "SIZE",
        description = "Off-heap memory budget for frames (memory.poolSizeBytes), e.g. 512MiB. Each frame limit must be " +
            "at most half of it: below 200MiB, lower the limits too.")
    String poolSize;

    @Option(names = MAX_REQUEST_SIZE, paramLabel = "SIZE",
        description = "Largest request a client may send (network.maxRequestSizeBytes), e.g. 16MiB. Default 100MiB.")
    String maxRequestSize;

    @Option(names = MAX_RESPONSE_SIZE, paramLabel = "SIZE",
        description = "Largest response accepted from a broker (network.maxResponseSizeBytes), e.g. 64MiB. Default 256MiB.")
    String maxResponseSize;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT",
        description = "Admin HTTP listener for /metrics, /healthz, /readyz (admin.bindAddress). Default 127.0.0.1:9190.")
    HostPort adminListen;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT",
        description = "HTTP gateway listener: REST Proxy v2/v3 produce, SSE and WebSocket subscriptions (http.bindAddress). Default: none.")
    HostPort httpListen;

    @Option(names = "--mqtt-listen", paramLabel = "HOST:PORT",
        description = "MQTT 3.1.1/5.0 gateway listener (mqtt.bindAddress). Default: none.")
    HostPort mqttListen;

    @Option(names = TLS_CERT, paramLabel = "FILE",
        description = "PEM certificate chain clients see, leaf first (listener.tls.certificate); with --tls-key.")
    Path tlsCertificate;

    @Option(names = TLS_KEY, paramLabel = "FILE",
        description = "Its unencrypted PKCS#8 PEM private key (listener.tls.privateKey); with --tls-cert.")
    Path tlsPrivateKey;

    @Option(names = TLS_CLIENT_CA, paramLabel = "FILE",
        description = "PEM certificates of the authorities client certificates must be signed by " +
            "(listener.tls.trustedCertificates); requires a client certificate (clientAuth: required).")
    Path tlsClientCa;

    @Option(names = "--log-level", paramLabel = "LEVEL",
        description = "Root log level (logging.level): ERROR, WARN, INFO, DEBUG or TRACE.")
    String logLevel;

    /**
     * The configuration: the file if given (else defaults), with the flags applied over it.
     *
     * @param defaultBootstrap upstream servers to use when neither file nor flag gives any, or null.
     * @return the configuration.
     * @throws ConfigException if the file is invalid, or no upstream is given.
     */
    ProxyConfig toConfig(final List<HostPort> defaultBootstrap) throws ConfigException
    {
        final ProxyConfig config;
        if (configFile != null)
        {
            config = ConfigParser.parse(configFile);
        }
        else
        {
            final List<HostPort> servers = bootstrapServers != null ? parseServers(bootstrapServers) : defaultBootstrap;
            if (servers == null)
            {
                throw new ConfigException("no upstream cluster: give --bootstrap HOST:PORT or --config FILE", null);
            }
            config = ProxyConfig.builder(BrokerClusterConfig.of(servers, null)).build();
        }
        try
        {
            return applyFlags(config);
        }
        catch (final IllegalArgumentException e)
        {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Applies the flags over a configuration: at start, and again over the file at each reload, so that a flag
     * keeps winning over the file. The flags are applied together and checked once, so that flags that only make
     * sense together ({@code --pool-size 64MiB --max-request-size 16MiB}) are taken together.
     *
     * @param fileConfig the configuration read from the file (or built from defaults).
     * @return the configuration with the flags applied.
     * @throws IllegalArgumentException if a flag's value is invalid, or the result is, naming the flags given.
     */
    ProxyConfig applyFlags(final ProxyConfig fileConfig)
    {
        try
        {
            BrokerClusterConfig upstream = fileConfig.upstream();
            ListenerConfig listener = fileConfig.listener();
            NetworkConfig network = fileConfig.network();
            MemoryConfig memory = fileConfig.memory();
            AdminConfig admin = fileConfig.admin();
            LoggingConfig logging = fileConfig.logging();
            if (bootstrapServers != null)
            {
                upstream = upstream.withBootstrapServers(parseServers(bootstrapServers));
            }
            if (listen != null)
            {
                listener = listener.withBindAddress(listen, false);
                if (advertisedHost == null && configFile == null)
                {
                    listener = listener.withAdvertisedHost(ListenerConfig.of(listen, null, null).advertisedHost());
                }
            }
            if (advertisedHost != null)
            {
                listener = listener.withAdvertisedHost(advertisedHost);
            }
            listener = listener.withTls(tlsWithFlags(listener.tls()));
            if (ioThreads != null)
            {
                network = network.withIoThreads(ioThreads);
            }
            if (transport != null)
            {
                network = network.withTransport(NetworkConfig.TransportKind.parse(TRANSPORT, transport));
            }
            if (maxRequestSize != null)
            {
                network = network.withMaxRequestSizeBytes(NetworkConfig.frameSize(MAX_REQUEST_SIZE, maxRequestSize));
            }
            if (maxResponseSize != null)
            {
                network = network.withMaxResponseSizeBytes(NetworkConfig.frameSize(MAX_RESPONSE_SIZE, maxResponseSize));
            }
            if (poolSize != null)
            {
                memory = memory.withPoolSizeBytes(MemoryConfig.size(POOL_SIZE, poolSize));
            }
            if (adminListen != null)
            {
                admin = admin.withBindAddress(adminListen);
            }
            if (logLevel != null)
            {
                logging = logging.withLevel(logLevel);
            }
            HttpConfig http = fileConfig.http();
            if (httpListen != null)
            {
                http = http == null ? HttpConfig.listeningOn(httpListen) : http.withBindAddress(httpListen);
            }
            MqttConfig mqtt = fileConfig.mqtt();
            if (mqttListen != null)
            {
                mqtt = mqtt == null ? MqttConfig.listeningOn(mqttListen) : mqtt.withBindAddress(mqttListen);
            }
            return fileConfig.toBuilder().upstream(upstream).listener(listener).network(network).memory(memory)
                .admin(admin).logging(logging).http(http).mqtt(mqtt).build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("invalid option: " + namingFlags(e.getMessage()), e);
        }
    }

    private TlsServerConfig tlsWithFlags(final TlsServerConfig fileTls)
    {
        if ((tlsCertificate == null) != (tlsPrivateKey == null))
        {
            throw new IllegalArgumentException(TLS_CERT + " and " + TLS_KEY + " go together");
        }
        TlsServerConfig tls = fileTls;
        if (tlsCertificate != null)
        {
            tls = tls == null ? TlsServerConfig.pem(tlsCertificate, tlsPrivateKey) : tls.withKeyPair(tlsCertificate, tlsPrivateKey);
        }
        if (tlsClientCa != null)
        {
            if (tls == null)
            {
                throw new IllegalArgumentException(TLS_CLIENT_CA + " needs " + TLS_CERT + " and " + TLS_KEY + " (or listener.tls in the file)");
            }
            tls = tls.withRequiredClientCertificates(tlsClientCa);
        }
        return tls;
    }

    /**
     * A validation message with the YAML path of each key a flag set replaced by the flag, since the operator
     * typed the flag.
     */
    private String namingFlags(final String message)
    {
        String named = message;
        if (maxRequestSize != null)
        {
            named = named.replace("network.maxRequestSizeBytes", MAX_REQUEST_SIZE);
        }
        if (maxResponseSize != null)
        {
            named = named.replace("network.maxResponseSizeBytes", MAX_RESPONSE_SIZE);
        }
        if (poolSize != null)
        {
            named = named.replace("memory.poolSizeBytes", POOL_SIZE);
        }
        if (tlsCertificate != null)
        {
            named = named.replace("listener.tls.certificate", TLS_CERT).replace("listener.tls.privateKey", TLS_KEY);
        }
        if (tlsClientCa != null)
        {
            named = named.replace("listener.tls.trustedCertificates", TLS_CLIENT_CA);
        }
        return named;
    }

    private static List<HostPort> parseServers(final String text)
    {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(HostPort::parse).toList();
    }
}
