package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A broker {@code tls} section: TLS on the proxy's connections to the brokers (Kafka's {@code SSL} security
 * protocol, or {@code SASL_SSL} with the {@code sasl} beside it). Absent: the brokers are reached in plaintext. It
 * stands at {@code upstream.tls}, {@code upstream.standby.tls} and {@code mirror.tls}; its messages name paths inside
 * the section ({@link SectionPathException}), which the parser places where the section stands.
 *
 * <p>Only paths and names are held here; the files are read when the cluster's snapshot is compiled, at start and
 * at every reload.
 *
 * @param trustedCertificates    a PEM file of the certificate authorities the brokers' certificates are checked
 *                               against; or null. Exclusive with {@code trustStore}; with neither, the JDK's default
 *                               trust.
 * @param trustStore             a PKCS12 or JKS trust store; or null.
 * @param hostnameVerification   whether a broker's certificate must name the host the proxy connects to
 *                               (endpoint identification {@code HTTPS}). Default true.
 * @param certificate            the proxy's client certificate chain (PEM, leaf first), for brokers that require
 *                               client certificates; or null. Needs {@code privateKey}; exclusive with
 *                               {@code keyStore}.
 * @param privateKey             the client certificate's PKCS#8 PEM private key, optionally encrypted; or null.
 * @param privateKeyPassword     the password of an encrypted {@code privateKey}; or null.
 * @param privateKeyPasswordFile a file holding that password (trailing white space and line break ignored); or
 *                               null. Exclusive with {@code privateKeyPassword}.
 * @param keyStore               the client certificate and key as a PKCS12 or JKS key store; or null.
 * @param protocols              the TLS versions offered, {@code TLSv1.3} and/or {@code TLSv1.2}. Default both.
 * @param cipherSuites           the cipher suites offered; empty: the provider's defaults. Default empty.
 * @param provider               which TLS implementation. Default {@link TlsProvider#AUTO}.
 */
public record BrokerTlsConfig(
    Path trustedCertificates,
    StoreConfig trustStore,
    boolean hostnameVerification,
    Path certificate,
    Path privateKey,
    String privateKeyPassword,
    Path privateKeyPasswordFile,
    StoreConfig keyStore,
    List<String> protocols,
    List<String> cipherSuites,
    TlsProvider provider)
{
    /** The TLS versions offered by default. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    /** The section's own key, where its messages stand until the parser places them. */
    private static final String SECTION = "tls";

    /**
     * Validates the section.
     *
     * @throws SectionPathException naming the YAML path of the first bad value, inside the section.
     */
    public BrokerTlsConfig
    {
        if (trustedCertificates != null && trustStore != null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ": trustedCertificates and trustStore are exclusive; set one");
        }
        final String trustStoreProblem = trustStore == null ? null : trustStore.problem(false);
        if (trustStoreProblem != null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".trustStore." + trustStoreProblem);
        }
        if (keyStore != null && (certificate != null || privateKey != null))
        {
            throw new SectionPathException(SECTION, tls -> tls + ": keyStore and certificate/privateKey are exclusive; set one");
        }
        final String keyStoreProblem = keyStore == null ? null : keyStore.problem(true);
        if (keyStoreProblem != null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".keyStore." + keyStoreProblem);
        }
        if (certificate != null && privateKey == null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".privateKey: required with " + tls + ".certificate");
        }
        if (privateKey != null && certificate == null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".certificate: required with " + tls + ".privateKey");
        }
        if (privateKeyPassword != null && privateKeyPasswordFile != null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ": privateKeyPassword and privateKeyPasswordFile are exclusive; set one");
        }
        if ((privateKeyPassword != null || privateKeyPasswordFile != null) && privateKey == null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".privateKey: required with " + tls +
                ".privateKeyPassword or privateKeyPasswordFile");
        }
        if (protocols == null || protocols.isEmpty())
        {
            throw new SectionPathException(SECTION, tls -> tls + ".protocols: at least one of " + DEFAULT_PROTOCOLS + " is required");
        }
        for (final String protocol : protocols)
        {
            if (!KNOWN_PROTOCOLS.contains(protocol))
            {
                throw new SectionPathException(SECTION, tls -> tls + ".protocols: unknown or unsafe protocol '" + protocol +
                    "'; use " + DEFAULT_PROTOCOLS);
            }
        }
        protocols = List.copyOf(protocols);
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        if (provider == null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".provider: required");
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param trustedCertificates    the CA PEM file, or null.
     * @param trustStore             the trust store, or null.
     * @param hostnameVerification   whether to verify host names, or null (true).
     * @param certificate            the client certificate PEM file, or null.
     * @param privateKey             the client key PEM file, or null.
     * @param privateKeyPassword     the key's password, or null.
     * @param privateKeyPasswordFile the file holding the key's password, or null.
     * @param keyStore               the client key store, or null.
     * @param protocols              the TLS versions, or null.
     * @param cipherSuites           the cipher suites, or null.
     * @param provider               {@code auto}, {@code openssl} or {@code jdk}, or null.
     * @return the section.
     * @throws SectionPathException naming the YAML path of the first bad value, inside the section.
     */
    @JsonCreator
    public static BrokerTlsConfig of(
        @JsonProperty("trustedCertificates") final String trustedCertificates,
        @JsonProperty("trustStore") final StoreConfig trustStore,
        @JsonProperty("hostnameVerification") final Boolean hostnameVerification,
        @JsonProperty("certificate") final String certificate,
        @JsonProperty("privateKey") final String privateKey,
        @JsonProperty("privateKeyPassword") final String privateKeyPassword,
        @JsonProperty("privateKeyPasswordFile") final String privateKeyPasswordFile,
        @JsonProperty("keyStore") final StoreConfig keyStore,
        @JsonProperty("protocols") final List<String> protocols,
        @JsonProperty("cipherSuites") final List<String> cipherSuites,
        @JsonProperty("provider") final String provider)
    {
        final TlsProvider chosen = provider == null ? TlsProvider.AUTO : TlsProvider.fromYamlName(provider);
        if (chosen == null)
        {
            throw new SectionPathException(SECTION, tls -> tls + ".provider: must be auto, openssl or jdk: " + provider);
        }
        return new BrokerTlsConfig(
            path(trustedCertificates),
            trustStore,
            hostnameVerification == null || hostnameVerification,
            path(certificate),
            path(privateKey),
            privateKeyPassword,
            path(privateKeyPasswordFile),
            keyStore,
            protocols == null ? DEFAULT_PROTOCOLS : protocols,
            cipherSuites,
            chosen);
    }

    /**
     * The section with nothing but the JDK's default trust and the defaults.
     *
     * @return the section.
     */
    public static BrokerTlsConfig defaults()
    {
        return of(null, null, null, null, null, null, null, null, null, null, null);
    }

    private static Path path(final String value)
    {
        return value == null ? null : Path.of(value);
    }

    @Override
    public String toString()
    {
        // Never print the key's password.
        return "BrokerTlsConfig[trustedCertificates=" + trustedCertificates + ", trustStore=" + trustStore +
            ", hostnameVerification=" + hostnameVerification + ", certificate=" + certificate + ", privateKey=" + privateKey +
            ", privateKeyPassword=" + (privateKeyPassword == null ? "none" : "***") +
            ", privateKeyPasswordFile=" + privateKeyPasswordFile + ", keyStore=" + keyStore + ", protocols=" + protocols +
            ", cipherSuites=" + cipherSuites + ", provider=" + provider.yamlName() + "]";
    }
}
