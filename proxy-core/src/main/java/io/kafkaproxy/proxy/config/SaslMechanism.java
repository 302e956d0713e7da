package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A SASL mechanism the proxy can terminate, by its IANA name as Kafka clients send it in SaslHandshake.
 */
public enum SaslMechanism
{
    /** RFC 4616 user name and password, checked against salted hashes. */
    PLAIN("PLAIN"),
    /** RFC 7677 SCRAM with SHA-256. */
    SCRAM_SHA_256("SCRAM-SHA-256"),
    /** SCRAM with SHA-512, as Kafka defines it. */
    SCRAM_SHA_512("SCRAM-SHA-512"),
    /** RFC 7628 bearer tokens: JWTs checked against a local JWKS. */
    OAUTHBEARER("OAUTHBEARER");

    private final String mechanismName;

    SaslMechanism(final String mechanismName)
    {
        this.mechanismName = mechanismName;
    }

    /**
     * The name on the wire.
     *
     * @return e.g. {@code SCRAM-SHA-512}.
     */
    @JsonValue
    public String mechanismName()
    {
        return mechanismName;
    }

    /**
     * Whether this is one of the SCRAM mechanisms.
     *
     * @return true for SCRAM-SHA-256 and SCRAM-SHA-512.
     */
    public boolean isScram()
    {
        return this == SCRAM_SHA_256 || this == SCRAM_SHA_512;
    }

    /**
     * The mechanism of a wire name.
     *
     * @param name the name, exactly as on the wire.
     * @return the mechanism, or null if the proxy does not terminate it.
     */
    public static SaslMechanism fromName(final String name)
    {
        for (final SaslMechanism mechanism : values())
        {
            if (mechanism.mechanismName.equals(name))
            {
                return mechanism;
            }
        }
        return null;
    }

    /**
     * Reads a mechanism from the configuration.
     *
     * @param name the name.
     * @return the mechanism.
     * @throws IllegalArgumentException if the proxy does not terminate it.
     */
    @JsonCreator
    public static SaslMechanism of(final String name)
    {
        final SaslMechanism mechanism = fromName(name);
        if (mechanism == null)
        {
            throw new IllegalArgumentException("listener.sasl.mechanisms: unknown mechanism '" + name +
                "' (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)");
        }
        return mechanism;
    }
}
