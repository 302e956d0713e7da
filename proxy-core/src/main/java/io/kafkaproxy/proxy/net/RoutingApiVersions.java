package io.kafkaproxy.proxy.net;

import io.kafkaproxy.protocol.responses.ProxyApiVersions;
import io.kafkaproxy.protocol.wire.ApiKeyIds;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;

/**
 * The ApiVersions answer of a routing listener that terminates SASL, given before the connection's cluster is known
 * (a client asks for versions before it logs in, and uses the answer for the whole connection): every api that all
 * the clusters its rules can reach advertise, in the versions all of them take, each first limited as the proxy limits
 * a forwarded answer ({@link ProxyApiVersions#advertisedRange}); and SaslHandshake v0-v1 and SaslAuthenticate v0-v2,
 * which the routing listener answers itself (a handshake at v1 only). Whichever cluster the login then chooses takes every version promised.
 *
 * <p>Stateless; the answer is built per connection, once, on a cold path.
 */
final class RoutingApiVersions
{
    /**
     * The highest SaslHandshake version advertised. The range starts at v0, as a broker's does, because librdkafka
     * reads "SASL supported" from a range holding v0 (it then uses v1); a v0 handshake itself, whose raw tokens
     * follow, is not taken before routing and closes the connection.
     */
    static final short HIGHEST_SASL_HANDSHAKE_VERSION = 1;
    /** The highest SaslAuthenticate version answered, as a terminating cluster listener. */
    static final short HIGHEST_SASL_AUTHENTICATE_VERSION = 2;

    private RoutingApiVersions()
    {
    }

    /**
     * The versions every reachable cluster takes.
     *
     * @param brokers what each reachable cluster's brokers advertise; at least one.
     * @return the answer's body, error NONE.
     */
    static ApiVersionsResponseData intersect(final List<ApiVersionsResponseData> brokers)
    {
        final ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        for (final ApiVersionsResponseData.ApiVersion first : brokers.get(0).apiKeys())
        {
            final short apiKey = first.apiKey();
            if (apiKey == ApiKeyIds.SASL_HANDSHAKE || apiKey == ApiKeyIds.SASL_AUTHENTICATE)
            {
                continue;
            }
            short min = Short.MIN_VALUE;
            short max = Short.MAX_VALUE;
            for (final ApiVersionsResponseData broker : brokers)
            {
                final ApiVersionsResponseData.ApiVersion version = broker.apiKeys().find(apiKey);
                final int range = version == null ? ProxyApiVersions.NOT_ADVERTISED :
                    ProxyApiVersions.advertisedRange(apiKey, version.minVersion(), version.maxVersion());
                if (range == ProxyApiVersions.NOT_ADVERTISED)
                {
                    min = Short.MAX_VALUE;
                    break;
                }
                min = (short)Math.max(min, ProxyApiVersions.minVersion(range));
                max = (short)Math.min(max, ProxyApiVersions.maxVersion(range));
            }
            if (min <= max)
            {
                keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(apiKey).setMinVersion(min).setMaxVersion(max));
            }
        }
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeyIds.SASL_HANDSHAKE)
            .setMinVersion((short)0).setMaxVersion(HIGHEST_SASL_HANDSHAKE_VERSION));
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeyIds.SASL_AUTHENTICATE)
            .setMinVersion((short)0).setMaxVersion(HIGHEST_SASL_AUTHENTICATE_VERSION));
        return new ApiVersionsResponseData().setErrorCode(Errors.NONE.code()).setApiKeys(keys);
    }

    /**
     * The answer to an ApiVersions request of a version the answer does not take: as a broker, v0 with
     * UNSUPPORTED_VERSION and the ApiVersions range alone, so the client asks again within it.
     *
     * @param answer the full answer.
     * @return the body to write at v0.
     */
    static ApiVersionsResponseData unsupportedVersion(final ApiVersionsResponseData answer)
    {
        final ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        final ApiVersionsResponseData.ApiVersion own = answer.apiKeys().find(ApiKeyIds.API_VERSIONS);
        keys.add(own == null ? new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeyIds.API_VERSIONS) : own.duplicate());
        return new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(keys);
    }

    /**
     * The highest ApiVersions version an answer takes.
     *
     * @param answer the answer.
     * @return its ApiVersions maximum, 0 if it has none.
     */
    static short highestApiVersionsVersion(final ApiVersionsResponseData answer)
    {
        final ApiVersionsResponseData.ApiVersion own = answer.apiKeys().find(ApiKeyIds.API_VERSIONS);
        return own == null ? 0 : own.maxVersion();
    }
}
