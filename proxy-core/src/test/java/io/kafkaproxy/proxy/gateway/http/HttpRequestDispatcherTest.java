package io.kafkaproxy.proxy.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class HttpRequestDispatcherTest
{
    private final List<HttpExchange> slowExchanges = new ArrayList<>();
    private final List<ByteBuf> bodies = new ArrayList<>();
    private final HttpRouter router = new HttpRouter()
        .add(HttpMethod.POST, "/slow", exchange ->
        {
            slowExchanges.add(exchange);
            return HttpRouteHandler.DISCARD;
        })
        .add(HttpMethod.POST, "/echo", exchange -> new BodyAggregator(exchange, 1024, body ->
            exchange.respond(HttpResponseStatus.OK, "text/plain", body)));
    private EmbeddedChannel channel;

    @AfterEach
    void closeChannel()
    {
        channel.finishAndReleaseAll();
        bodies.forEach(ByteBuf::release);
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder()
    {
        // Given
        channel = new EmbeddedChannel(new HttpRequestDispatcher(router, HttpRequestAuthenticator.NONE, HttpRequestObserver.NONE, false));

        // When: a request answered later, then one answered at once, read together
        channel.writeInbound(request("/slow"), LastHttpContent.EMPTY_LAST_CONTENT, request("/echo"), content("second", true));

        // Then: nothing before the first is answered, then both in order
        assertThat((Object)channel.readOutbound()).isNull();
        assertThat(channel.config().isAutoRead()).isFalse();
        slowExchanges.get(0).respond(HttpResponseStatus.ACCEPTED, "text/plain", Unpooled.copiedBuffer("first", StandardCharsets.UTF_8));
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("202 first");
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("200 second");
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void shouldHoldTheBodyWhileAuthenticatingAndRefuseWithAChallenge()
    {
        // Given
        final CompletableFuture<HttpRequestAuthenticator.Authentication> alice = new CompletableFuture<>();
        final CompletableFuture<HttpRequestAuthenticator.Authentication> mallory = new CompletableFuture<>();
        final List<CompletableFuture<HttpRequestAuthenticator.Authentication>> outcomes = new ArrayList<>(List.of(alice, mallory));
        channel = new EmbeddedChannel(new HttpRequestDispatcher(router, (request, connection) -> outcomes.remove(0),
            HttpRequestObserver.NONE, false));
        final HttpContent held = content("held", false);

        // When
        channel.writeInbound(request("/echo"), held, content(" body", true), request("/echo"), content("refused", true));
        alice.complete(HttpRequestAuthenticator.Authentication.of("alice"));
        channel.runPendingTasks();
        mallory.complete(HttpRequestAuthenticator.Authentication.refused("authentication failed", "Basic realm=\"kafka-proxy\""));
        channel.runPendingTasks();

        // Then
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("200 held body");
        final FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Basic realm=\"kafka-proxy\"");
        assertThat(bodyOf(refused)).isEqualTo("401 {\"error_code\":40101,\"message\":\"authentication failed\"}");
        bodies.forEach(ByteBuf::release);
        bodies.clear();
        assertThat(held.refCnt()).as("the held chunk, part of the echoed body").isZero();
    }

    @Test
    void shouldHoldTheBodyOfAWholeRequestWhileAuthenticating()
    {
        // Given: an HTTP/2 stream's request with its body in one message
        final CompletableFuture<HttpRequestAuthenticator.Authentication> outcome = new CompletableFuture<>();
        channel = new EmbeddedChannel(new HttpRequestDispatcher(router, (request, connection) -> outcome, HttpRequestObserver.NONE, true));
        final io.netty.handler.codec.http.FullHttpRequest request = new io.netty.handler.codec.http.DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo", Unpooled.copiedBuffer("whole", StandardCharsets.UTF_8));

        // When
        channel.writeInbound(request);
        outcome.complete(HttpRequestAuthenticator.Authentication.of("alice"));
        channel.runPendingTasks();

        // Then
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("200 whole");
    }

    @Test
    void shouldReleaseWhatIsHeldWhenTheChannelCloses()
    {
        // Given
        channel = new EmbeddedChannel(new HttpRequestDispatcher(router, HttpRequestAuthenticator.NONE, HttpRequestObserver.NONE, false));
        final HttpContent pipelined = content("never served", true);
        channel.writeInbound(request("/slow"), LastHttpContent.EMPTY_LAST_CONTENT, request("/echo"), pipelined);

        // When
        channel.close();

        // Then
        assertThat(pipelined.refCnt()).isZero();
    }

    private static HttpRequest request(final String path)
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        return request;
    }

    private static HttpContent content(final String text, final boolean last)
    {
        final ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        return last ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes);
    }

    private String bodyOf(final FullHttpResponse response)
    {
        bodies.add(response.content());
        return response.status().code() + " " + response.content().toString(StandardCharsets.UTF_8);
    }
}
