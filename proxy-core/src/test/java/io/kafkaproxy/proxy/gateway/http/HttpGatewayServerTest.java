package io.kafkaproxy.proxy.gateway.http;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.testing.ExternalCommand;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.tls.ClientTlsContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HttpGatewayServerTest
{
    private static final long MAX_BODY_BYTES = 1024;

    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static HttpGatewayServer cleartext;
    private static HttpGatewayServer tls;
    private static SSLContext clientTls;
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final java.util.Queue<String> TLS_REFUSALS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startServers() throws Exception
    {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final HttpRouter router = new HttpRouter()
            .add(HttpMethod.POST, "/echo/{name}", HttpGatewayServerTest::echo)
            .add(HttpMethod.GET, "/echo/{name}", exchange ->
            {
                final byte[] hello = ("hello " + exchange.pathParameter("name")).getBytes(StandardCharsets.UTF_8);
                exchange.respond(HttpResponseStatus.OK, "text/plain", exchange.ctx().alloc().buffer().writeBytes(hello));
                return HttpRouteHandler.DISCARD;
            });
        final HttpRequestObserver observer = new HttpRequestObserver()
        {
            @Override
            public void onConnectionOpened()
            {
                CONNECTIONS.incrementAndGet();
            }
        };
        cleartext = HttpGatewayServer.bind(group, group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0), null,
            router, HttpRequestAuthenticator.NONE, observer, MAX_BODY_BYTES, Duration.ofMinutes(1));

        final TestCertificates.Issued authority = TestCertificates.authority("http-gateway-test");
        final TestCertificates.Issued server = TestCertificates.server(authority, "CN=kafka-proxy", "127.0.0.1", "localhost");
        final ClientTlsContext context = ClientTlsContext.compile(
            TlsServerConfig.pem(server.writeCertificatePem(dir.resolve("server.pem")), server.writeKeyPem(dir.resolve("server.key"))),
            "http.tls", "http", List.of("h2", "http/1.1"));
        tls = HttpGatewayServer.bind(group, group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0),
            context::sslContext, router, HttpRequestAuthenticator.NONE, new HttpRequestObserver()
            {
                @Override
                public void onBadRequest(final String reason)
                {
                    TLS_REFUSALS.add(reason);
                }
            }, MAX_BODY_BYTES, Duration.ofMinutes(1));
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.certificate());
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trustManagers.getTrustManagers(), null);
    }

    @AfterAll
    static void stopServers()
    {
        cleartext.close();
        tls.close();
        group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static HttpRouteHandler echo(final HttpExchange exchange)
    {
        return new BodyAggregator(exchange, MAX_BODY_BYTES, (ByteBuf body) ->
            exchange.respond(HttpResponseStatus.OK, "text/plain", body));
    }

    @Test
    void shouldServeHttp11RequestsOnOneKeepAliveConnection() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final int before = CONNECTIONS.get();

        // When
        final List<HttpResponse<String>> responses = List.of(
            client.send(post(cleartextUri("/echo/a"), "one"), HttpResponse.BodyHandlers.ofString()),
            client.send(post(cleartextUri("/echo/b"), "two"), HttpResponse.BodyHandlers.ofString()),
            client.send(HttpRequest.newBuilder(cleartextUri("/echo/c")).build(), HttpResponse.BodyHandlers.ofString()));

        // Then
        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200);
        assertThat(responses).extracting(HttpResponse::body).containsExactly("one", "two", "hello c");
        assertThat(responses).extracting(HttpResponse::version).containsOnly(HttpClient.Version.HTTP_1_1);
        assertThat(CONNECTIONS.get() - before).isEqualTo(1);
    }

    @Test
    void shouldUpgradeACleartextConnectionToHttp2()
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

        // When
        final HttpResponse<String> first = client.sendAsync(HttpRequest.newBuilder(cleartextUri("/echo/h2c")).build(),
            HttpResponse.BodyHandlers.ofString()).join();
        final HttpResponse<String> second = client.sendAsync(post(cleartextUri("/echo/h2c"), "over h2c"),
            HttpResponse.BodyHandlers.ofString()).join();

        // Then
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("hello h2c");
        assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(second.body()).isEqualTo("over h2c");
    }

    @Test
    void shouldServeHttp2WithPriorKnowledge() throws Exception
    {
        // Given
        assumeTrue(ExternalCommand.run(List.of("curl", "--version"), "").exitCode() == 0, "curl is not installed");

        // When
        final ExternalCommand.Result result = ExternalCommand.run(List.of("curl", "-s", "--http2-prior-knowledge",
            "-w", " %{http_version}", "-d", "prior", cleartextUri("/echo/pk").toString()), "");

        // Then
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo("prior 2");
    }

    @Test
    void shouldNegotiateHttp2OverTls() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(clientTls).build();

        // When
        final HttpResponse<String> response = client.send(post(tlsUri("/echo/tls"), "secret"), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo("secret");
    }

    @Test
    void shouldFallBackToHttp11OverTlsWithoutAlpnH2() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientTls).build();

        // When
        final HttpResponse<String> response = client.send(post(tlsUri("/echo/tls"), "plain old"), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.body()).isEqualTo("plain old");
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsInRestProxyForm() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        // When
        final HttpResponse<String> notFound = client.send(HttpRequest.newBuilder(cleartextUri("/nowhere")).build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> notAllowed = client.send(HttpRequest.newBuilder(cleartextUri("/echo/x"))
            .DELETE().build(), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).isEqualTo("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        assertThat(notFound.headers().firstValue("content-type")).hasValue(RestContentTypes.V2);
        assertThat(notAllowed.statusCode()).isEqualTo(405);
        assertThat(notAllowed.body()).isEqualTo("{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
        assertThat(notAllowed.headers().firstValue("allow")).hasValue("GET, POST");
    }

    @Test
    void shouldRefuseAnOversizedBodyAndKeepTheConnection() throws Exception
    {
        // Given
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        client.send(HttpRequest.newBuilder(cleartextUri("/echo/warm")).build(), HttpResponse.BodyHandlers.ofString());
        final int before = CONNECTIONS.get();

        // When
        final HttpResponse<String> tooLarge = client.send(post(cleartextUri("/echo/big"), "x".repeat((int)MAX_BODY_BYTES + 1)),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> next = client.send(post(cleartextUri("/echo/small"), "fits"), HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).isEqualTo("{\"error_code\":413,\"message\":\"request body larger than http.maxBodyBytes=1024\"}");
        assertThat(next.body()).isEqualTo("fits");
        await().untilAsserted(() -> assertThat(CONNECTIONS.get() - before).isZero());
    }

    @Test
    void shouldCountAndCloseAFailedTlsHandshake() throws Exception
    {
        // Given
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", tls.address().getPort()))
        {
            socket.setSoTimeout(10_000);

            // When: clear text on the TLS port
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }

        // Then: the server closed it, and counted it
        await().untilAsserted(() -> assertThat(TLS_REFUSALS).contains("tls_handshake_failed"));
    }

    @Test
    void shouldCloseAConnectionIdleLongerThanTheIdleTimeout() throws Exception
    {
        // Given
        final HttpGatewayServer idle = HttpGatewayServer.bind(group, group, NioServerSocketChannel.class,
            new InetSocketAddress("127.0.0.1", 0), null, new HttpRouter(), HttpRequestAuthenticator.NONE, HttpRequestObserver.NONE,
            MAX_BODY_BYTES, Duration.ofMillis(200));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", idle.address().getPort()))
        {
            socket.setSoTimeout(10_000);

            // When
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            // Then: answered (404), then closed by the server once idle
            assertThat(answer).startsWith("HTTP/1.1 404 Not Found");
        }
        finally
        {
            idle.close();
        }
    }

    private static HttpRequest post(final URI uri, final String body)
    {
        return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static URI cleartextUri(final String path)
    {
        return URI.create("http://127.0.0.1:" + cleartext.address().getPort() + path);
    }

    private static URI tlsUri(final String path)
    {
        return URI.create("https://127.0.0.1:" + tls.address().getPort() + path);
    }
}
