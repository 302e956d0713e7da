package io.kafkaproxy.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaproxy.proxy.failover.SwitchOutcome;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The admin listener's {@code /clusters} routes, as answers to an HTTP method and path:
 *
 * <pre>
 *   GET  /clusters                   200, JSON array: each cluster's name, clusterId, active upstream, generation,
 *                                    upstreams with their latest probe, latest switch
 *   POST /clusters/{name}/failover   200 the new state · 409 {error, cluster} refused (already there, target
 *   POST /clusters/{name}/failback                         unhealthy, no standby) · 404 unknown cluster
 *   any other method on these paths  405, with Allow
 * </pre>
 *
 * <p>Stateless and thread-safe; the switches run on the cluster's failover loop and complete the answer there.
 */
final class ClusterAdminRoutes
{
    /** The path prefix of these routes. */
    static final String PATH = "/clusters";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterAdmin clusters;

    ClusterAdminRoutes(final ClusterAdmin clusters)
    {
        this.clusters = clusters;
    }

    /**
     * An answer of these routes.
     *
     * @param status the HTTP status.
     * @param allow  the {@code Allow} header of a 405, else null.
     * @param json   the JSON body.
     */
    record Answer(HttpResponseStatus status, String allow, String json)
    {
    }

    /**
     * Answers one request on a {@code /clusters} path.
     *
     * @param method        the request's method.
     * @param path          its path, starting with {@code /clusters}.
     * @param clientAddress who asked, for the switch's reason.
     * @return completes with the answer.
     */
    CompletionStage<Answer> answer(final HttpMethod method, final String path, final String clientAddress)
    {
        if (path.equals(PATH) || path.equals(PATH + "/"))
        {
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method))
            {
                return done(new Answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET, HEAD", error("only GET")));
            }
            return done(new Answer(HttpResponseStatus.OK, null, json(clusters.clusters())));
        }
        final String[] parts = path.substring(PATH.length() + 1).split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || !(parts[1].equals("failover") || parts[1].equals("failback")))
        {
            return done(new Answer(HttpResponseStatus.NOT_FOUND, null,
                error("not found; try GET /clusters, POST /clusters/{name}/failover or POST /clusters/{name}/failback")));
        }
        if (!HttpMethod.POST.equals(method))
        {
            return done(new Answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST", error("only POST")));
        }
        final String name = parts[0];
        final String reason = "admin API: POST " + path + " from " + clientAddress;
        final CompletionStage<SwitchOutcome> outcome = parts[1].equals("failover") ?
            clusters.failover(name, reason) : clusters.failback(name, reason);
        if (outcome == null)
        {
            return done(new Answer(HttpResponseStatus.NOT_FOUND, null, error("unknown cluster: " + name)));
        }
        return outcome.thenApply(ClusterAdminRoutes::answer);
    }

    private static Answer answer(final SwitchOutcome outcome)
    {
        if (outcome.switched())
        {
            return new Answer(HttpResponseStatus.OK, null, json(outcome.status()));
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", outcome.refusal());
        body.put("cluster", outcome.status());
        return new Answer(HttpResponseStatus.CONFLICT, null, json(body));
    }

    private static CompletionStage<Answer> done(final Answer answer)
    {
        return CompletableFuture.completedFuture(answer);
    }

    private static String error(final String message)
    {
        return json(Map.of("error", message));
    }

    private static String json(final Object value)
    {
        try
        {
            return JSON.writeValueAsString(value) + "\n";
        }
        catch (final JsonProcessingException e)
        {
            // Records of strings, numbers and lists: nothing here fails to serialize.
            throw new IllegalStateException("cannot write the clusters' state as JSON: " + e.getMessage(), e);
        }
    }
}
