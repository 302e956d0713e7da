package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.proxy.request.DecodedRequest;
import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The identity stage of a connection's policy: who the client is, from the first of its {@link PrincipalSource}s, in
 * order of precedence, that names a principal.
 *
 * <p>Sources after the one that decides are not consulted, so a client that authenticated is no longer read for its
 * client.id. The stage only reports that the principal changed; what a change costs (connection limits, new rules)
 * is the policy's business. Confined to the connection's event loop.
 */
final class IdentityStage
{
    private final PrincipalSource[] sources;
    private String principal;

    /**
     * Creates the stage.
     *
     * @param sources the sources, highest precedence first.
     */
    IdentityStage(final PrincipalSource... sources)
    {
        this.sources = sources.clone();
    }

    /**
     * The identity sources of a connection whose Kafka listener passes SASL through: the sources the listener knows
     * first, then the login the broker accepted, else the client.id.
     *
     * @param first the listener's own sources, highest precedence first; may be empty.
     * @return the stage.
     */
    static IdentityStage passthrough(final PrincipalSource... first)
    {
        final PrincipalSource[] sources = Arrays.copyOf(first, first.length + 2);
        sources[first.length] = new PassthroughSaslPrincipal();
        sources[first.length + 1] = new ClientIdPrincipal();
        return new IdentityStage(sources);
    }

    /**
     * The identity sources of a connection whose listener terminates SASL: the login the proxy checked first, then
     * the sources the listener knows, else the client.id. The passthrough SASL source is left out: the client's SASL
     * frames never reach the broker.
     *
     * @param terminated the login the proxy checks.
     * @param others     the listener's other sources, highest precedence first; may be empty.
     * @return the stage.
     */
    static IdentityStage terminatingSasl(final TerminatedSaslPrincipal terminated, final PrincipalSource... others)
    {
        final PrincipalSource[] sources = new PrincipalSource[others.length + 2];
        sources[0] = terminated;
        System.arraycopy(others, 0, sources, 1, others.length);
        sources[others.length + 1] = new ClientIdPrincipal();
        return new IdentityStage(sources);
    }

    /**
     * Shows a request to the sources.
     *
     * @param request the request, decoded once.
     * @return true if the principal changed.
     */
    boolean onRequest(final DecodedRequest request)
    {
        for (final PrincipalSource source : sources)
        {
            source.onRequest(request);
            if (source.principal() != null)
            {
                break;
            }
        }
        return decide();
    }

    /**
     * Shows a response to the sources.
     *
     * @param apiKey     the request's api key.
     * @param response   the response, size field first; not released here.
     * @param bodyOffset where its body starts, from the reader index.
     * @return true if the principal changed.
     */
    boolean onResponse(final short apiKey, final ByteBuf response, final int bodyOffset)
    {
        for (final PrincipalSource source : sources)
        {
            source.onResponse(apiKey, response, bodyOffset);
        }
        return decide();
    }

    /**
     * Whether a source reads the responses of an api.
     *
     * @param apiKey the request's api key.
     * @return true if one does: they must reach {@link #onResponse} whole.
     */
    boolean readsResponse(final short apiKey)
    {
        for (final PrincipalSource source : sources)
        {
            if (source.readsResponse(apiKey))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The principal now.
     *
     * @return the name the first deciding source gives, or null before any source names one.
     */
    String principal()
    {
        return principal;
    }

    private boolean decide()
    {
        for (final PrincipalSource source : sources)
        {
            final String name = source.principal();
            if (name != null)
            {
                if (name.equals(principal))
                {
                    return false;
                }
                principal = name;
                return true;
            }
        }
        return false;
    }
}
