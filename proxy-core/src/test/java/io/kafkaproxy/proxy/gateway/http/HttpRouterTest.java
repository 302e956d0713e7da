package io.kafkaproxy.proxy.gateway.http;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpRouterTest
{
    private static final HttpRoute TOPIC = exchange -> HttpRouteHandler.DISCARD;
    private static final HttpRoute PARTITION = exchange -> HttpRouteHandler.DISCARD;
    private static final HttpRoute CLUSTERS = exchange -> HttpRouteHandler.DISCARD;
    private static final HttpRoute CLUSTER = exchange -> HttpRouteHandler.DISCARD;

    private final HttpRouter router = new HttpRouter()
        .add(HttpMethod.POST, "/topics/{topic}", TOPIC)
        .add(HttpMethod.GET, "/topics/{topic}", TOPIC)
        .add(HttpMethod.POST, "/topics/{topic}/partitions/{partition}", PARTITION)
        .add(HttpMethod.GET, "/v3/clusters", CLUSTERS)
        .add(HttpMethod.GET, "/v3/clusters/{cluster_id}", CLUSTER);

    @Test
    void shouldMatchATemplateAndDecodeItsParameters()
    {
        // When
        final HttpRouter.Match match = router.match(HttpMethod.POST, "/topics/orders%2Eeu/partitions/3");

        // Then
        assertThat(match.route()).isSameAs(PARTITION);
        assertThat(match.template()).isEqualTo("/topics/{topic}/partitions/{partition}");
        assertThat(match.parameters()).isEqualTo(Map.of("topic", "orders.eu", "partition", "3"));
    }

    @Test
    void shouldPreferTheLiteralTemplateRegisteredFirst()
    {
        // When
        final HttpRouter.Match match = router.match(HttpMethod.GET, "/v3/clusters/");

        // Then
        assertThat(match.route()).isSameAs(CLUSTERS);
        assertThat(match.parameters()).isEmpty();
    }

    @Test
    void shouldNameTheAllowedMethodsOfAPathWithoutARouteForTheMethod()
    {
        // When
        final HttpRouter.Match match = router.match(HttpMethod.DELETE, "/topics/orders");

        // Then
        assertThat(match.found()).isFalse();
        assertThat(match.allowedMethods()).isEqualTo(Set.of(HttpMethod.POST, HttpMethod.GET));
    }

    @Test
    void shouldFindNothingForAnUnknownPathOrAnEmptyParameter()
    {
        // When
        final HttpRouter.Match unknown = router.match(HttpMethod.GET, "/nowhere");
        final HttpRouter.Match empty = router.match(HttpMethod.POST, "/topics//partitions/1");

        // Then
        assertThat(unknown.found()).isFalse();
        assertThat(unknown.allowedMethods()).isEmpty();
        assertThat(empty.found()).isFalse();
    }

    @Test
    void shouldRejectAParameterThatIsNotAWholeSegment()
    {
        // When / Then
        assertThatThrownBy(() -> router.add(HttpMethod.GET, "/topics/pre{topic}", TOPIC))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("route parameter must be a whole segment: template=/topics/pre{topic}");
    }
}
