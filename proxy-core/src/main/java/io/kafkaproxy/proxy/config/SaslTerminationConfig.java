package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * The {@code listener.sasl} section: the proxy checks the clients' SASL logins itself instead of passing them through
 * to the brokers. Absent, SASL passes through (with inspection of the user name), as before. A reload applies every
 * key and re-reads the credential files.
 *
 * @param mechanisms            the mechanisms clients may use, at least one; each needs its credentials below.
 * @param plainUsersFile        the PLAIN users and their salted password hashes (see the README); required with PLAIN.
 * @param scramCredentialsFile  the SCRAM credentials, as Kafka stores them; required with SCRAM-SHA-256 or SCRAM-SHA-512.
 * @param oauthbearer           how JWTs are checked; required with OAUTHBEARER.
 * @param sessionLifetime       KIP-368: when positive, the session lifetime reported to clients, which must log in
 *                              again on the same connection before it ends or be closed. Default 0 (no limit).
 * @param failedLoginsPerMinute the failed logins one client address may have per minute; past them its connections
 *                              are closed at their next failure or login attempt until the minute ends. Default 10.
 */
public record SaslTerminationConfig(
    List<SaslMechanism> mechanisms,
    Path plainUsersFile,
    Path scramCredentialsFile,
    OAuthBearerConfig oauthbearer,
    Duration sessionLifetime,
    int failedLoginsPerMinute)
{
    /** Default failed logins per minute and address. */
    public static final int DEFAULT_FAILED_LOGINS_PER_MINUTE = 10;

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public SaslTerminationConfig
    {
        if (mechanisms == null || mechanisms.isEmpty())
        {
            throw new IllegalArgumentException("listener.sasl.mechanisms: at least one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER");
        }
        if (EnumSet.copyOf(mechanisms).size() != mechanisms.size())
        {
            throw new IllegalArgumentException("listener.sasl.mechanisms: duplicate mechanism: " + mechanisms);
        }
        mechanisms = List.copyOf(mechanisms);
        if (mechanisms.contains(SaslMechanism.PLAIN) && plainUsersFile == null)
        {
            throw new IllegalArgumentException("listener.sasl.plainUsersFile: required with mechanism PLAIN");
        }
        if ((mechanisms.contains(SaslMechanism.SCRAM_SHA_256) || mechanisms.contains(SaslMechanism.SCRAM_SHA_512)) &&
            scramCredentialsFile == null)
        {
            throw new IllegalArgumentException("listener.sasl.scramCredentialsFile: required with a SCRAM mechanism");
        }
        if (mechanisms.contains(SaslMechanism.OAUTHBEARER) && oauthbearer == null)
        {
            throw new IllegalArgumentException("listener.sasl.oauthbearer: required with mechanism OAUTHBEARER");
        }
        if (sessionLifetime == null || sessionLifetime.isNegative())
        {
            throw new IllegalArgumentException("listener.sasl.sessionLifetime: must not be negative: " + sessionLifetime);
        }
        if (failedLoginsPerMinute < 1)
        {
            throw new IllegalArgumentException("listener.sasl.failedLoginsPerMinute: must be at least 1: " + failedLoginsPerMinute);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param mechanisms            the mechanisms, or null.
     * @param plainUsersFile        the PLAIN users file, or null.
     * @param scramCredentialsFile  the SCRAM credentials file, or null.
     * @param oauthbearer           the OAUTHBEARER settings, or null.
     * @param sessionLifetime       the session lifetime, or null.
     * @param failedLoginsPerMinute the failed logins per minute, or null.
     * @return the section.
     */
    @JsonCreator
    public static SaslTerminationConfig of(
        @JsonProperty("mechanisms") final List<SaslMechanism> mechanisms,
        @JsonProperty("plainUsersFile") final String plainUsersFile,
        @JsonProperty("scramCredentialsFile") final String scramCredentialsFile,
        @JsonProperty("oauthbearer") final OAuthBearerConfig oauthbearer,
        @JsonProperty("sessionLifetime") final Duration sessionLifetime,
        @JsonProperty("failedLoginsPerMinute") final Integer failedLoginsPerMinute)
    {
        return new SaslTerminationConfig(
            mechanisms,
            plainUsersFile == null ? null : Path.of(plainUsersFile),
            scramCredentialsFile == null ? null : Path.of(scramCredentialsFile),
            oauthbearer,
            sessionLifetime == null ? Duration.ZERO : sessionLifetime,
            failedLoginsPerMinute == null ? DEFAULT_FAILED_LOGINS_PER_MINUTE : failedLoginsPerMinute);
    }

    /**
     * Whether clients may use a mechanism.
     *
     * @param mechanism the mechanism.
     * @return true if enabled.
     */
    public boolean enables(final SaslMechanism mechanism)
    {
        return mechanisms.contains(mechanism);
    }
}
