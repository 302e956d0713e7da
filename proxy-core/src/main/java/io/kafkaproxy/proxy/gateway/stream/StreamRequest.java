package io.kafkaproxy.proxy.gateway.stream;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code GET /v1/stream/{topic}} request asks for: where to start (query {@code from=latest|earliest},
 * {@code offsets=0:15,1:22}, or a resume: the {@code Last-Event-ID} header or {@code lastEventId} query, which win),
 * an optional consumer {@code group} (which resumes from its commits: a resume id is ignored, offsets refused), and
 * the WebSocket frame {@code format} ({@code json} or {@code binary}).
 *
 * @param topic  the topic.
 * @param start  where to start; for a group, where to start when the group has no commit.
 * @param group  the consumer group, or null.
 * @param binary true for binary WebSocket frames.
 */
record StreamRequest(String topic, FeedStart start, String group, boolean binary)
{
    /** The header a reconnecting EventSource sends. */
    static final String LAST_EVENT_ID = "Last-Event-ID";

    /**
     * Reads a request.
     *
     * @param topic   the topic, from the path.
     * @param query   the query.
     * @param headers the request headers.
     * @return the request.
     * @throws IllegalArgumentException with a message for the client when a parameter is malformed.
     */
    static StreamRequest parse(final String topic, final QueryStringDecoder query, final HttpHeaders headers)
    {
        final Map<String, List<String>> parameters = query.parameters();
        final String from = single(parameters, "from", "latest");
        final String offsets = single(parameters, "offsets", null);
        final String group = single(parameters, "group", null);
        final String format = single(parameters, "format", "json");
        String resume = headers.get(LAST_EVENT_ID);
        if (resume == null || resume.isBlank())
        {
            resume = single(parameters, "lastEventId", null);
        }
        if (!"json".equals(format) && !"binary".equals(format))
        {
            throw new IllegalArgumentException("format must be json or binary: " + format);
        }
        if (group != null && group.isBlank())
        {
            throw new IllegalArgumentException("group must not be empty");
        }
        final FeedStart start;
        // A group resumes from its commits: the Last-Event-ID a reconnecting EventSource sends by itself is not an error.
        if (resume != null && !resume.isBlank() && group == null)
        {
            start = FeedStart.offsets(positions(resume.strip(), "Last-Event-ID"));
        }
        else if (offsets != null)
        {
            start = FeedStart.offsets(positions(offsets, "offsets"));
        }
        else if ("earliest".equals(from))
        {
            start = FeedStart.earliest();
        }
        else if ("latest".equals(from))
        {
            start = FeedStart.latest();
        }
        else
        {
            throw new IllegalArgumentException("from must be latest or earliest: " + from);
        }
        if (group != null && start instanceof FeedStart.Offsets)
        {
            throw new IllegalArgumentException("a group subscription resumes from its group's commits: no offsets");
        }
        return new StreamRequest(topic, start, group, "binary".equals(format));
    }

    /**
     * Reads a position vector: {@code 0:16,1:22}, the next offset per partition.
     *
     * @param vector the vector.
     * @param name   what it came as, for the error.
     * @return the offsets by partition.
     * @throws IllegalArgumentException if malformed.
     */
    static Map<Integer, Long> positions(final String vector, final String name)
    {
        final Map<Integer, Long> positions = new HashMap<>();
        for (final String item : vector.split(",", -1))
        {
            final int colon = item.indexOf(':');
            try
            {
                final int partition = Integer.parseInt(item.substring(0, Math.max(0, colon)).strip());
                final long offset = Long.parseLong(item.substring(colon + 1).strip());
                if (colon < 0 || partition < 0 || offset < 0 || positions.put(partition, offset) != null)
                {
                    throw new NumberFormatException();
                }
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(name + " must be partition:offset pairs such as 0:16,1:22: " + vector);
            }
        }
        return positions;
    }

    private static String single(final Map<String, List<String>> parameters, final String name, final String absent)
    {
        final List<String> values = parameters.get(name);
        if (values == null || values.isEmpty())
        {
            return absent;
        }
        if (values.size() > 1)
        {
            throw new IllegalArgumentException("query parameter " + name + " given more than once");
        }
        return values.get(0);
    }
}
