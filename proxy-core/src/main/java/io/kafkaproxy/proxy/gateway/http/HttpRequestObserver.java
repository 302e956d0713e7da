package io.kafkaproxy.proxy.gateway.http;

/**
 * What the HTTP listener reports about its requests and connections: the seam between the listener and the gateway's
 * meters.
 *
 * <p>Shared by every connection; called from every event loop, so implementations are thread-safe and allocate nothing
 * on these paths beyond what their meter registry does.
 */
public interface HttpRequestObserver
{
    /** Observes nothing. */
    HttpRequestObserver NONE = new HttpRequestObserver()
    {
    };

    /**
     * A request was answered completely.
     *
     * @param route  the method and the route's template ({@code POST /topics/{topic}}), or the method and {@code unmatched}.
     * @param status the HTTP status answered.
     * @param nanos  from the request head's arrival to the answer's last write.
     */
    default void onRequest(final String route, final int status, final long nanos)
    {
    }

    /**
     * A request was refused for bad input (malformed, wrong type, too large, unknown topic or partition).
     *
     * @param reason the kind of bad input, a short label.
     */
    default void onBadRequest(final String reason)
    {
    }

    /**
     * An HTTP connection opened.
     */
    default void onConnectionOpened()
    {
    }

    /**
     * An HTTP connection closed.
     */
    default void onConnectionClosed()
    {
    }
}
