package io.kafkaproxy.proxy.config;

/**
 * The SASL mechanism the proxy logs in to the brokers with ({@code upstream.sasl.mechanism}).
 */
public enum BrokerSaslMechanism
{
    /** SASL/PLAIN: user name and password in the clear, so only over TLS outside a trusted network. */
    PLAIN("PLAIN"),
    /** SCRAM with SHA-256 (RFC 7677). */
    SCRAM_SHA_256("SCRAM-SHA-256"),
    /** SCRAM with SHA-512. */
    SCRAM_SHA_512("SCRAM-SHA-512");

    private final String mechanismName;

    BrokerSaslMechanism(final String mechanismName)
    {
        this.mechanismName = mechanismName;
    }

    /**
     * The mechanism's SASL name, as the configuration file and the SaslHandshake request write it.
     *
     * @return e.g. {@code SCRAM-SHA-512}.
     */
    public String mechanismName()
    {
        return mechanismName;
    }

    /**
     * Looks a mechanism up by its SASL name.
     *
     * @param name the name, as written in the file.
     * @return the mechanism, or null if none has that name.
     */
    public static BrokerSaslMechanism fromMechanismName(final String name)
    {
        for (final BrokerSaslMechanism mechanism : values())
        {
            if (mechanism.mechanismName.equals(name))
            {
                return mechanism;
            }
        }
        return null;
    }
}
