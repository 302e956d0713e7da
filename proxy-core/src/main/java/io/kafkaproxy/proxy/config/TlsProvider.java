package io.kafkaproxy.proxy.config;

/**
 * Which TLS implementation serves a {@code tls} section's handshakes: a listener's ({@code listener.tls.provider})
 * or the proxy's connections to the brokers ({@code upstream.tls.provider}).
 */
public enum TlsProvider
{
    /** OpenSSL (Netty's BoringSSL) where it loads on this machine, the JDK's otherwise. */
    AUTO("auto"),
    /** OpenSSL only: the configuration is refused where it does not load. */
    OPENSSL("openssl"),
    /** The JDK's own implementation. */
    JDK("jdk");

    private final String yamlName;

    TlsProvider(final String yamlName)
    {
        this.yamlName = yamlName;
    }

    /**
     * The name the configuration file uses.
     *
     * @return {@code auto}, {@code openssl} or {@code jdk}.
     */
    public String yamlName()
    {
        return yamlName;
    }

    /**
     * Looks a provider up by its configuration name.
     *
     * @param name the name, as written in the file.
     * @return the provider, or null if none has that name.
     */
    public static TlsProvider fromYamlName(final String name)
    {
        for (final TlsProvider provider : values())
        {
            if (provider.yamlName.equals(name))
            {
                return provider;
            }
        }
        return null;
    }
}
