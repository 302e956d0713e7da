package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;

import com.nimbusds.jose.jwk.JWKSet;
import org.apache.kafka.common.security.scram.ScramCredential;

import java.util.List;
import java.util.Map;

/**
 * What a listener that terminates SASL checks logins against: its settings and the credentials read from their
 * files, compiled into the cluster snapshot at start and at every reload, so that a reload re-reads the files and new
 * logins use them while open connections keep their sessions.
 *
 * @param settings   the {@code listener.sasl} section.
 * @param plainUsers each PLAIN user's salted hash; empty without PLAIN.
 * @param scramUsers each SCRAM user's credential per mechanism; empty without SCRAM.
 * @param jwks       the keys OAUTHBEARER tokens are signed with; null without OAUTHBEARER.
 */
public record SaslCredentials(
    SaslTerminationConfig settings,
    Map<String, PlainPasswordHash> plainUsers,
    Map<String, Map<SaslMechanism, ScramCredential>> scramUsers,
    JWKSet jwks)
{
    /**
     * Reads the credential files a section names.
     *
     * @param settings the {@code listener.sasl} section.
     * @return the credentials.
     * @throws IllegalArgumentException naming the file and its YAML path if a file cannot be read or is malformed.
     */
    public static SaslCredentials load(final SaslTerminationConfig settings)
    {
        return load(settings, "listener.sasl");
    }

    /**
     * Reads the credential files a listener's section names.
     *
     * @param settings the section.
     * @param yamlPath where the section is ({@code listener.sasl}, {@code listeners[1].sasl}), for error messages.
     * @return the credentials.
     * @throws IllegalArgumentException naming the file and its YAML path if a file cannot be read or is malformed.
     */
    public static SaslCredentials load(final SaslTerminationConfig settings, final String yamlPath)
    {
        final boolean scram = settings.enables(SaslMechanism.SCRAM_SHA_256) || settings.enables(SaslMechanism.SCRAM_SHA_512);
        return new SaslCredentials(
            settings,
            settings.enables(SaslMechanism.PLAIN)
                ? SaslCredentialFiles.readPlainUsers(settings.plainUsersFile(), yamlPath + ".plainUsersFile") : Map.of(),
            scram ? SaslCredentialFiles.readScramCredentials(settings.scramCredentialsFile(), yamlPath + ".scramCredentialsFile") : Map.of(),
            settings.enables(SaslMechanism.OAUTHBEARER)
                ? SaslCredentialFiles.readJwks(settings.oauthbearer().jwksFile(), yamlPath + ".oauthbearer.jwksFile") : null);
    }

    /**
     * The enabled mechanisms' names, as a SaslHandshake response lists them.
     *
     * @return the names, in the configured order.
     */
    public List<String> mechanismNames()
    {
        return settings.mechanisms().stream().map(SaslMechanism::mechanismName).toList();
    }

    @Override
    public String toString()
    {
        return "SaslCredentials[mechanisms=" + mechanismNames() + ", plainUsers=" + plainUsers.size() +
            ", scramUsers=" + scramUsers.size() + ", credentials redacted]";
    }
}
