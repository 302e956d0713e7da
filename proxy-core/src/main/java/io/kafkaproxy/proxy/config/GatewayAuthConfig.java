package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;

/**
 * How clients of a gateway listener ({@code http.auth}, {@code mqtt.auth}) prove who they are: a user name and
 * password checked against a users file in the SASL PLAIN format ({@code kafka-proxy hash-password} makes entries),
 * a JWT checked like an OAUTHBEARER login, or a client certificate on a listener with {@code tls.clientAuth}. The
 * principal that results is subject to the same {@code acl} and {@code quotas} rules as a Kafka client's.
 *
 * @param usersFile      the users and their salted password hashes (HTTP Basic, MQTT user name and password); or null.
 * @param oauthbearer    how JWTs are checked (HTTP {@code Authorization: Bearer}, MQTT password); or null.
 * @param allowAnonymous whether a client that presents nothing is served as the principal {@code ANONYMOUS}. Default:
 *                       true when neither {@code usersFile} nor {@code oauthbearer} is set, false otherwise.
 */
public record GatewayAuthConfig(Path usersFile, OAuthBearerConfig oauthbearer, boolean allowAnonymous)
{
    /** No credentials checked: every client is {@code ANONYMOUS}. */
    public static final GatewayAuthConfig ANONYMOUS = new GatewayAuthConfig(null, null, true);

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param usersFile      the users file, or null.
     * @param oauthbearer    the JWT settings, or null.
     * @param allowAnonymous whether anonymous clients are served, or null.
     * @return the section.
     */
    @JsonCreator
    public static GatewayAuthConfig of(
        @JsonProperty("usersFile") final String usersFile,
        @JsonProperty("oauthbearer") final OAuthBearerConfig oauthbearer,
        @JsonProperty("allowAnonymous") final Boolean allowAnonymous)
    {
        final boolean anonymousByDefault = usersFile == null && oauthbearer == null;
        return new GatewayAuthConfig(usersFile == null ? null : Path.of(usersFile), oauthbearer,
            allowAnonymous == null ? anonymousByDefault : allowAnonymous);
    }
}
