package io.kafkaproxy.proxy.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client over Java's {@link HttpClient}: reads the stream line by line (never blocking a
 * thread per stream) and keeps the events and the count of comment lines (heartbeats).
 */
public final class SseClient implements Flow.Subscriber<String>, AutoCloseable
{
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final StringBuilder data = new StringBuilder();
    private final CompletableFuture<HttpResponse<Void>> response;
    private final CompletableFuture<HttpResponse.ResponseInfo> head = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean ended;
    private String id;
    private String event;

    private SseClient(final HttpClient client, final URI uri, final Map<String, String> headers)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        // The response future completes with the body, never for a stream: the head is taken as it comes.
        this.response = client.sendAsync(request.build(), info ->
        {
            head.complete(info);
            return HttpResponse.BodySubscribers.fromLineSubscriber(this);
        });
    }

    /**
     * Opens a stream.
     *
     * @param client  the HTTP client.
     * @param uri     the stream's URI.
     * @param headers request headers, such as {@code Last-Event-ID}.
     * @return the client, receiving.
     */
    public static SseClient open(final HttpClient client, final URI uri, final Map<String, String> headers)
    {
        return new SseClient(client, uri, headers);
    }

    /**
     * The response's head.
     *
     * @return completes when the head arrived.
     */
    public CompletableFuture<HttpResponse.ResponseInfo> head()
    {
        return head;
    }

    /**
     * The events received so far.
     *
     * @return the events.
     */
    public List<Event> events()
    {
        return events;
    }

    /**
     * The events of one type received so far.
     *
     * @param type the event type, such as {@code record}.
     * @return the events.
     */
    public List<Event> events(final String type)
    {
        return events.stream().filter(e -> type.equals(e.event())).toList();
    }

    /**
     * The comment lines (heartbeats) received so far.
     *
     * @return the count.
     */
    public int comments()
    {
        return comments.get();
    }

    /**
     * Whether the server ended the stream.
     *
     * @return true once ended.
     */
    public boolean ended()
    {
        return ended;
    }

    @Override
    public void onSubscribe(final Flow.Subscription newSubscription)
    {
        subscription = newSubscription;
        newSubscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(final String line)
    {
        if (line.isEmpty())
        {
            if (event != null || data.length() > 0 || id != null)
            {
                events.add(new Event(id, event == null ? "message" : event, data.toString()));
            }
            id = null;
            event = null;
            data.setLength(0);
        }
        else if (line.startsWith(":"))
        {
            comments.incrementAndGet();
        }
        else if (line.startsWith("id: "))
        {
            id = line.substring(4);
        }
        else if (line.equals("id") || line.equals("id:"))
        {
            // A field without a value (the spec's "id" line alone): it clears the client's last event id.
            id = "";
        }
        else if (line.startsWith("event: "))
        {
            event = line.substring(7);
        }
        else if (line.startsWith("data: "))
        {
            data.append(data.length() > 0 ? "\n" : "").append(line.substring(6));
        }
    }

    @Override
    public void onError(final Throwable throwable)
    {
        ended = true;
    }

    @Override
    public void onComplete()
    {
        ended = true;
    }

    @Override
    public void close()
    {
        final Flow.Subscription current = subscription;
        if (current != null)
        {
            current.cancel();
        }
        response.cancel(true);
    }

    /**
     * One event.
     *
     * @param id    its id, or null.
     * @param event its type.
     * @param data  its data.
     */
    public record Event(String id, String event, String data)
    {
    }
}
