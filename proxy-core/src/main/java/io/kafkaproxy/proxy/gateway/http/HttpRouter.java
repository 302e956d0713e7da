package io.kafkaproxy.proxy.gateway.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP gateway's route table: method plus path template ({@code /topics/{topic}/partitions/{partition}}) to
 * {@link HttpRoute}. A template is literal segments and whole-segment parameters; the first registered route whose
 * template and method match wins, so a literal template ({@code /v3/clusters}) registered before a parameterised one
 * of the same length takes precedence.
 *
 * <p>Filled while the listener is set up ({@link #add}), then only read: once the server is bound it is shared by
 * every event loop, without locks, because nothing writes it any more.
 */
public final class HttpRouter
{
    private final List<Entry> entries = new ArrayList<>();

    /**
     * Registers a route.
     *
     * @param method   the request method it serves.
     * @param template the path template, starting with {@code /}; parameters are whole segments in braces.
     * @param route    what serves the matching requests.
     * @return this router.
     * @throws IllegalArgumentException if the template does not start with {@code /}, or a parameter is malformed.
     */
    public HttpRouter add(final HttpMethod method, final String template, final HttpRoute route)
    {
        if (!template.startsWith("/"))
        {
            throw new IllegalArgumentException("route template must start with '/': template=" + template);
        }
        final String[] segments = segments(template);
        for (final String segment : segments)
        {
            if (segment.contains("{") && !(segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2))
            {
                throw new IllegalArgumentException("route parameter must be a whole segment: template=" + template);
            }
        }
        entries.add(new Entry(method, template, segments, route));
        return this;
    }

    /**
     * Finds the route of a request.
     *
     * @param method the request's method.
     * @param path   the request's path, without its query, still percent-encoded.
     * @return the match: its route and parameters (decoded), or the reason there is none.
     */
    public Match match(final HttpMethod method, final String path)
    {
        final String[] segments = segments(path);
        Set<HttpMethod> allowed = null;
        for (final Entry entry : entries)
        {
            final Map<String, String> parameters = entry.match(segments);
            if (parameters != null)
            {
                if (entry.method.equals(method))
                {
                    return new Match(entry.route, entry.template, parameters, Set.of());
                }
                if (allowed == null)
                {
                    allowed = new LinkedHashSet<>();
                }
                allowed.add(entry.method);
            }
        }
        return new Match(null, null, Map.of(), allowed == null ? Set.of() : Set.copyOf(allowed));
    }

    private static String[] segments(final String path)
    {
        final String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(1, path.length() - 1) : path.substring(1);
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    /**
     * The outcome of {@link #match}.
     *
     * @param route          the route, or null when none matched.
     * @param template       the matched route's template (the route's name in metrics), or null.
     * @param parameters     the path parameters by name, percent-decoded.
     * @param allowedMethods when no route matched: the methods the path has routes for (empty: HTTP 404, else 405).
     */
    public record Match(HttpRoute route, String template, Map<String, String> parameters, Set<HttpMethod> allowedMethods)
    {
        /**
         * Whether a route matched.
         *
         * @return true if {@link #route} is set.
         */
        public boolean found()
        {
            return route != null;
        }
    }

    private record Entry(HttpMethod method, String template, String[] segments, HttpRoute route)
    {
        Map<String, String> match(final String[] path)
        {
            if (path.length != segments.length)
            {
                return null;
            }
            Map<String, String> parameters = null;
            for (int i = 0; i < segments.length; i++)
            {
                final String segment = segments[i];
                if (segment.startsWith("{"))
                {
                    if (path[i].isEmpty())
                    {
                        return null;
                    }
                    if (parameters == null)
                    {
                        parameters = new HashMap<>(4);
                    }
                    parameters.put(segment.substring(1, segment.length() - 1), QueryStringDecoder.decodeComponent(path[i]));
                }
                else if (!segment.equals(path[i]))
                {
                    return null;
                }
            }
            return parameters == null ? Map.of() : parameters;
        }
    }
}
