package io.kafkaproxy.proxy.gateway.settings;

import io.kafkaproxy.proxy.config.GatewayAuthConfig;
import io.kafkaproxy.proxy.sasl.JwtVerifier;
import io.kafkaproxy.proxy.sasl.PlainPasswordHash;
import io.kafkaproxy.proxy.sasl.SaslCredentialFiles;

import java.util.Map;

/**
 * The credentials a gateway listener checks, read from the files its {@code auth} section names when the snapshot
 * is compiled (at start and at every reload).
 *
 * @param settings the section.
 * @param users    user name to salted password hash; empty without a users file.
 * @param jwt      the JWT check; null without {@code oauthbearer}.
 */
public record GatewayCredentials(GatewayAuthConfig settings, Map<String, PlainPasswordHash> users, JwtVerifier jwt)
{
    /**
     * Reads the files of an {@code auth} section.
     *
     * @param settings the section.
     * @param yamlPath its YAML path, for errors.
     * @return the credentials.
     * @throws IllegalArgumentException naming the file and path, if a file does not load.
     */
    public static GatewayCredentials load(final GatewayAuthConfig settings, final String yamlPath)
    {
        return new GatewayCredentials(
            settings,
            settings.usersFile() == null ? Map.of() : SaslCredentialFiles.readPlainUsers(settings.usersFile(), yamlPath + ".usersFile"),
            settings.oauthbearer() == null ? null : new JwtVerifier(
                SaslCredentialFiles.readJwks(settings.oauthbearer().jwksFile(), yamlPath + ".oauthbearer.jwksFile"),
                settings.oauthbearer()));
    }
}
