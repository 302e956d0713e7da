package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;

/**
 * A broker {@code sasl} section: the proxy's own SASL login to the brokers, made on every broker connection
 * before the client's first request is forwarded. Absent: the proxy does not log in (a client's own SASL exchange
 * passes through). It stands at {@code upstream.sasl}, {@code upstream.standby.sasl} and {@code mirror.sasl}; its
 * messages name paths inside the section ({@link SectionPathException}), which the parser places where the section
 * stands.
 *
 * <p>Only the password file's path is held here; the file is read when the cluster's snapshot is compiled, at start
 * and at every reload.
 *
 * @param mechanism    {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}. No default.
 * @param username     the proxy's user name at the brokers. No default.
 * @param password     its password; or null. Exactly one of {@code password} and {@code passwordFile}.
 * @param passwordFile a file holding the password (its first line); or null.
 */
public record BrokerSaslConfig(BrokerSaslMechanism mechanism, String username, String password, Path passwordFile)
{
    /** The section's own key, where its messages stand until the parser places them. */
    private static final String SECTION = "sasl";

    /**
     * Validates the section.
     *
     * @throws SectionPathException naming the YAML path of the first bad value, inside the section.
     */
    public BrokerSaslConfig
    {
        if (mechanism == null)
        {
            throw new SectionPathException(SECTION, sasl -> sasl + ".mechanism: required: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        }
        if (username == null || username.isEmpty())
        {
            throw new SectionPathException(SECTION, sasl -> sasl + ".username: required");
        }
        if ((password == null) == (passwordFile == null))
        {
            throw new SectionPathException(SECTION, sasl -> sasl + ": exactly one of password and passwordFile is required");
        }
    }

    /**
     * Reads the section.
     *
     * @param mechanism    the mechanism's name, or null.
     * @param username     the user name, or null.
     * @param password     the password, or null.
     * @param passwordFile the password file, or null.
     * @return the section.
     * @throws SectionPathException naming the YAML path of the first bad value, inside the section.
     */
    @JsonCreator
    public static BrokerSaslConfig of(
        @JsonProperty("mechanism") final String mechanism,
        @JsonProperty("username") final String username,
        @JsonProperty("password") final String password,
        @JsonProperty("passwordFile") final String passwordFile)
    {
        final BrokerSaslMechanism chosen = mechanism == null ? null : BrokerSaslMechanism.fromMechanismName(mechanism);
        if (mechanism != null && chosen == null)
        {
            throw new SectionPathException(SECTION, sasl -> sasl + ".mechanism: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512: " + mechanism);
        }
        return new BrokerSaslConfig(chosen, username, password, passwordFile == null ? null : Path.of(passwordFile));
    }

    @Override
    public String toString()
    {
        // Never print the password.
        return "BrokerSaslConfig[mechanism=" + mechanism.mechanismName() + ", username=" + username +
            ", password=" + (password == null ? "none" : "***") + ", passwordFile=" + passwordFile + "]";
    }
}
