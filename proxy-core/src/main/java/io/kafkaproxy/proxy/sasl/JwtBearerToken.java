package io.kafkaproxy.proxy.sasl;

import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;

import java.util.Set;

/**
 * A JWT the proxy verified, as Kafka's {@code OAuthBearerSaslServer} expects it.
 *
 * @param value         the compact JWS; never logged.
 * @param scope         the token's scopes.
 * @param lifetimeMs    its {@code exp}, in epoch milliseconds.
 * @param principalName the principal, from the configured claim.
 * @param startTimeMs   its {@code iat} or {@code nbf}, in epoch milliseconds, or null.
 */
record JwtBearerToken(String value, Set<String> scope, long lifetimeMs, String principalName, Long startTimeMs)
    implements OAuthBearerToken
{
    @Override
    public String toString()
    {
        return "JwtBearerToken[principalName=" + principalName + ", lifetimeMs=" + lifetimeMs + ", value redacted]";
    }
}
