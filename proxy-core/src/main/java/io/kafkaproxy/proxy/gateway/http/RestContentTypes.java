package io.kafkaproxy.proxy.gateway.http;

/**
 * The content types of Confluent REST Proxy: {@code application/vnd.kafka[.embedded_format].[api_version]+json} for
 * v2, {@code application/json} for v3.
 */
public final class RestContentTypes
{
    /** v2 records whose key and value are JSON, embedded as they are. */
    public static final String V2_JSON = "application/vnd.kafka.json.v2+json";
    /** v2 records whose key and value are bytes, embedded as base64. */
    public static final String V2_BINARY = "application/vnd.kafka.binary.v2+json";
    /** v2 without an embedded format: metadata answers, and records REST Proxy reads as binary. */
    public static final String V2 = "application/vnd.kafka.v2+json";
    /** v3 requests and answers. */
    public static final String JSON = "application/json";

    private RestContentTypes()
    {
    }

    /**
     * Whether a request's {@code Accept} header takes an answer of a type: absent, a wildcard, the type itself, or a
     * type REST Proxy answers in its place ({@code application/json}, {@code application/vnd.kafka+json}, or any
     * {@code application/vnd.kafka...+json}).
     *
     * @param accept   the {@code Accept} header, or null.
     * @param produced the type the route answers in.
     * @return true if the client takes it; false: answer 406.
     */
    public static boolean acceptable(final String accept, final String produced)
    {
        if (accept == null || accept.isBlank())
        {
            return true;
        }
        for (final String range : accept.split(","))
        {
            final int semicolon = range.indexOf(';');
            final String type = (semicolon < 0 ? range : range.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
            if (type.equals("*/*") || type.equals("application/*") || type.equals(produced) || type.equals(JSON) ||
                (type.startsWith("application/vnd.kafka") && type.endsWith("+json")))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The content type of an error answer on a route: REST Proxy answers v3 routes in {@code application/json} and
     * every other path (v2, and paths no route matches) in its v2 type.
     *
     * @param route the route's template, or {@code unmatched}.
     * @return the content type.
     */
    public static String errorBodyType(final String route)
    {
        return route.startsWith("/v3/") ? JSON : V2;
    }
}
