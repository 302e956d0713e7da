package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.metrics.ProxyMetrics;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ClientTlsHandshakeHandlerTest
{
    private static final TestCertificates.Issued CA = TestCertificates.authority("handshake-test-ca");
    private static final TestCertificates.Issued SERVER = TestCertificates.server(CA, "CN=kafka-proxy", "localhost");

    @TempDir
    Path dir;

    private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
    private final AtomicInteger warnLines = new AtomicInteger();
    private final AtomicReference<String> principal = new AtomicReference<>();

    @Test
    void shouldCountAPlaintextClientAndCloseItsChannelWithoutPassingTheErrorOn()
    {
        // Given
        final EmbeddedChannel server = serverChannel("none");

        // When
        server.writeInbound(Unpooled.copiedBuffer("\0\0\0\u000cnot tls at all", StandardCharsets.US_ASCII));

        // Then
        assertThat(server.isOpen()).isFalse();
        assertThat(metrics.tlsHandshakeFailures("default", "not_tls")).isEqualTo(1);
        assertThat(warnLines).hasValue(1);
        server.checkException();
        server.finishAndReleaseAll();
    }

    @Test
    void shouldNameTheClientCertificatePrincipalAndStepAsideOnceTheHandshakeSucceeds() throws Exception
    {
        // Given
        final TestCertificates.Issued alice = TestCertificates.client(CA, "CN=alice");
        final EmbeddedChannel server = serverChannel("required");
        final EmbeddedChannel client = new EmbeddedChannel(SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
            .keyManager(alice.key(), alice.chain()).trustManager(CA.certificate()).build().newHandler(Unpooled.EMPTY_BUFFER.alloc(), "localhost", 9092));

        // When
        for (int round = 0; round < 20; round++)
        {
            pass(client, server);
            pass(server, client);
        }

        // Then
        assertThat(principal).hasValue("alice");
        assertThat(server.pipeline().get(ClientTlsHandshakeHandler.class)).isNull();
        assertThat(server.isOpen()).isTrue();
        assertThat(warnLines).hasValue(0);
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private EmbeddedChannel serverChannel(final String clientAuth)
    {
        final ClientTlsContext tls = ClientTlsContext.compile(TlsServerConfig.of(SERVER.writeCertificatePem(dir.resolve("s.crt")),
            SERVER.writeKeyPem(dir.resolve("s.key")), null, null, null, clientAuth,
            TestCertificates.writeTrustPem(dir.resolve("ca.pem"), CA.certificate()), null, null, null, "jdk", "RULE:^CN=(.*)$/$1/,DEFAULT", null, null),
            "listener.tls", "default");
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline()
            .addLast("ssl", tls.newHandler(channel.alloc()))
            .addLast("tlsHandshake", new ClientTlsHandshakeHandler(tls, metrics, () ->
            {
                warnLines.incrementAndGet();
                return 0;
            }, principal::set));
        return channel;
    }

    private static void pass(final EmbeddedChannel from, final EmbeddedChannel to)
    {
        ByteBuf bytes;
        while ((bytes = from.readOutbound()) != null)
        {
            if (to.isOpen())
            {
                to.writeInbound(bytes);
            }
            else
            {
                bytes.release();
            }
        }
    }

}
