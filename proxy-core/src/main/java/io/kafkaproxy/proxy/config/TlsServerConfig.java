package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code listener.tls} section: TLS for the clients of a listener (Kafka's {@code SSL} security protocol), the
 * proxy's certificate and key, and whether and how clients present certificates of their own.
 *
 * <p>The key material is either a PEM pair ({@code certificate} and {@code privateKey}) or a {@code keyStore}. The
 * files are only named here: they are read, and checked (readable, key matching the certificate, not expired), when
 * the cluster snapshot is compiled, at start and at every reload. {@link #toString()} hides the passwords.
 *
 * @param certificate            the proxy's certificate chain, PEM, leaf first. With {@code privateKey}.
 * @param privateKey             its PKCS#8 PEM private key, optionally encrypted. With {@code certificate}.
 * @param privateKeyPassword     the password of an encrypted {@code privateKey}; or {@code privateKeyPasswordFile}.
 * @param privateKeyPasswordFile a file holding that password (a trailing line break is ignored).
 * @param keyStore               a PKCS#12 or JKS key store instead of {@code certificate} and {@code privateKey}.
 * @param clientAuth             whether clients present certificates: {@code none} (default), {@code requested} or
 *                               {@code required}.
 * @param trustedCertificates    PEM certificates of the authorities client certificates are checked against;
 *                               or {@code trustStore}. Required when {@code clientAuth} is not {@code none}.
 * @param trustStore             a trust store instead of {@code trustedCertificates}.
 * @param protocols              the TLS versions offered. Default {@code [TLSv1.3, TLSv1.2]}.
 * @param cipherSuites           the cipher suites offered, in the provider's names. Default: the provider's.
 * @param provider               {@code auto} (default: OpenSSL where it loads, else the JDK), {@code openssl} or
 *                               {@code jdk}.
 * @param principalMappingRules  how a client certificate's subject becomes the principal, in the syntax of
 *                               Kafka's {@code ssl.principal.mapping.rules}. Default {@code DEFAULT} (the whole
 *                               RFC 2253 distinguished name).
 * @param sni                    one port for the whole cluster, each target chosen by the TLS server name; null
 *                               (absent) for a port per node.
 * @param crlFile                X.509 CRLs (PEM or DER; one file may hold several) client certificates are checked
 *                               against; only with {@code trustedCertificates} or {@code trustStore}. No OCSP.
 */
public record TlsServerConfig(
    Path certificate,
    Path privateKey,
    String privateKeyPassword,
    Path privateKeyPasswordFile,
    StoreConfig keyStore,
    ClientAuth clientAuth,
    Path trustedCertificates,
    StoreConfig trustStore,
    List<String> protocols,
    List<String> cipherSuites,
    TlsProvider provider,
    String principalMappingRules,
    SniConfig sni,
    Path crlFile)
{
    /** The YAML path of the section, at the head of its validation messages. */
    public static final String YAML_PATH = "listener.tls";
    /** The TLS versions offered by default, and the only ones accepted. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Kafka's default principal mapping: the whole distinguished name. */
    public static final String DEFAULT_PRINCIPAL_MAPPING_RULES = "DEFAULT";

    /**
     * Whether clients present certificates.
     */
    public enum ClientAuth
    {
        /** No client certificate is asked for. */
        NONE("none"),
        /** A certificate is asked for; a client without one is still served, a bad one is refused. */
        REQUESTED("requested"),
        /** A client without a certificate the trusted authorities signed is refused. */
        REQUIRED("required");

        private final String yamlName;

        ClientAuth(final String yamlName)
        {
            this.yamlName = yamlName;
        }

        /**
         * The name the configuration file uses.
         *
         * @return {@code none}, {@code requested} or {@code required}.
         */
        public String yamlName()
        {
            return yamlName;
        }
    }

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public TlsServerConfig
    {
        final boolean pem = certificate != null || privateKey != null;
        if (pem && keyStore != null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".keyStore: give either certificate and privateKey, or keyStore");
        }
        if (!pem && keyStore == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".certificate: required (with privateKey), or give keyStore");
        }
        if (pem && certificate == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".certificate: required with privateKey");
        }
        if (pem && privateKey == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".privateKey: required with certificate");
        }
        if (privateKeyPassword != null && privateKeyPasswordFile != null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".privateKeyPasswordFile: give either privateKeyPassword or privateKeyPasswordFile");
        }
        if (!pem && (privateKeyPassword != null || privateKeyPasswordFile != null))
        {
            throw new IllegalArgumentException(YAML_PATH + (privateKeyPassword != null ? ".privateKeyPassword" : ".privateKeyPasswordFile") +
                ": only with privateKey; a key store's key has keyStore.keyPassword");
        }
        if (keyStore != null)
        {
            keyStore.check(YAML_PATH + ".keyStore", true);
        }
        if (trustedCertificates != null && trustStore != null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".trustStore: give either trustedCertificates or trustStore");
        }
        if (trustStore != null)
        {
            trustStore.check(YAML_PATH + ".trustStore", false);
        }
        if (crlFile != null && trustedCertificates == null && trustStore == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".crlFile: only with trustedCertificates or trustStore " +
                "(the authorities whose revocations it lists)");
        }
        if (clientAuth == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".clientAuth: required");
        }
        if (clientAuth != ClientAuth.NONE && trustedCertificates == null && trustStore == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".trustedCertificates: required when clientAuth is " +
                clientAuth.yamlName() + " (or give trustStore)");
        }
        protocols = List.copyOf(protocols == null ? DEFAULT_PROTOCOLS : protocols);
        if (protocols.isEmpty())
        {
            throw new IllegalArgumentException(YAML_PATH + ".protocols: must not be empty");
        }
        for (final String protocol : protocols)
        {
            if (!DEFAULT_PROTOCOLS.contains(protocol))
            {
                throw new IllegalArgumentException(YAML_PATH + ".protocols: unsupported protocol '" + protocol + "'; supported: " +
                    DEFAULT_PROTOCOLS);
            }
        }
        cipherSuites = List.copyOf(cipherSuites == null ? List.of() : cipherSuites);
        if (provider == null)
        {
            throw new IllegalArgumentException(YAML_PATH + ".provider: required");
        }
        if (principalMappingRules == null || principalMappingRules.isBlank())
        {
            throw new IllegalArgumentException(YAML_PATH + ".principalMappingRules: must not be empty (DEFAULT for the whole name)");
        }
        try
        {
            SslPrincipalMapper.fromRules(principalMappingRules);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(YAML_PATH + ".principalMappingRules: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param certificate            the certificate chain file, or null.
     * @param privateKey             the private key file, or null.
     * @param privateKeyPassword     the key's password, or null.
     * @param privateKeyPasswordFile the file holding the key's password, or null.
     * @param keyStore               the key store, or null.
     * @param clientAuth             {@code none}, {@code requested} or {@code required}, or null.
     * @param trustedCertificates    the trusted authorities' file, or null.
     * @param trustStore             the trust store, or null.
     * @param protocols              the TLS versions, or null.
     * @param cipherSuites           the cipher suites, or null.
     * @param provider               {@code auto}, {@code openssl} or {@code jdk}, or null.
     * @param principalMappingRules  the mapping rules, or null.
     * @param sni                    the SNI routing section, or null.
     * @param crlFile                the CRL file, or null.
     * @return the section.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    @JsonCreator
    public static TlsServerConfig of(
        @JsonProperty("certificate") final Path certificate,
        @JsonProperty("privateKey") final Path privateKey,
        @JsonProperty("privateKeyPassword") final String privateKeyPassword,
        @JsonProperty("privateKeyPasswordFile") final Path privateKeyPasswordFile,
        @JsonProperty("keyStore") final StoreConfig keyStore,
        @JsonProperty("clientAuth") final String clientAuth,
        @JsonProperty("trustedCertificates") final Path trustedCertificates,
        @JsonProperty("trustStore") final StoreConfig trustStore,
        @JsonProperty("protocols") final List<String> protocols,
        @JsonProperty("cipherSuites") final List<String> cipherSuites,
        @JsonProperty("provider") final String provider,
        @JsonProperty("principalMappingRules") final String principalMappingRules,
        @JsonProperty("sni") final SniConfig sni,
        @JsonProperty("crlFile") final Path crlFile)
    {
        return new TlsServerConfig(certificate, privateKey, privateKeyPassword, privateKeyPasswordFile, keyStore,
            clientAuth == null ? ClientAuth.NONE : clientAuth(clientAuth), trustedCertificates, trustStore, protocols,
            cipherSuites, provider == null ? TlsProvider.AUTO : provider(provider),
            principalMappingRules == null ? DEFAULT_PRINCIPAL_MAPPING_RULES : principalMappingRules, sni, crlFile);
    }

    /**
     * The section for a PEM certificate and key with every other key at its default: what the command line's
     * {@code --tls-cert} and {@code --tls-key} give.
     *
     * @param certificate the certificate chain file.
     * @param privateKey  the unencrypted private key file.
     * @return the section.
     */
    public static TlsServerConfig pem(final Path certificate, final Path privateKey)
    {
        return of(certificate, privateKey, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The same section with another PEM certificate and key, unencrypted, in place of whatever key material it had.
     *
     * @param newCertificate the certificate chain file.
     * @param newPrivateKey  the unencrypted private key file.
     * @return the new section.
     */
    public TlsServerConfig withKeyPair(final Path newCertificate, final Path newPrivateKey)
    {
        return new TlsServerConfig(newCertificate, newPrivateKey, null, null, null, clientAuth, trustedCertificates,
            trustStore, protocols, cipherSuites, provider, principalMappingRules, sni, crlFile);
    }

    /**
     * The same section requiring client certificates signed by the authorities of a PEM file.
     *
     * @param authorities the trusted authorities' certificates.
     * @return the new section.
     */
    public TlsServerConfig withRequiredClientCertificates(final Path authorities)
    {
        return new TlsServerConfig(certificate, privateKey, privateKeyPassword, privateKeyPasswordFile, keyStore,
            ClientAuth.REQUIRED, authorities, null, protocols, cipherSuites, provider, principalMappingRules, sni, crlFile);
    }

    /**
     * The same section with other SNI routing.
     *
     * @param newSni the SNI section, or null for a port per node.
     * @return the new section.
     */
    public TlsServerConfig withSni(final SniConfig newSni)
    {
        return new TlsServerConfig(certificate, privateKey, privateKeyPassword, privateKeyPasswordFile, keyStore,
            clientAuth, trustedCertificates, trustStore, protocols, cipherSuites, provider, principalMappingRules, newSni, crlFile);
    }

    /**
     * The same section checking client certificates against the CRLs of a file.
     *
     * @param newCrlFile the CRL file, or null for none.
     * @return the new section.
     */
    public TlsServerConfig withCrlFile(final Path newCrlFile)
    {
        return new TlsServerConfig(certificate, privateKey, privateKeyPassword, privateKeyPasswordFile, keyStore,
            clientAuth, trustedCertificates, trustStore, protocols, cipherSuites, provider, principalMappingRules, sni, newCrlFile);
    }

    private static ClientAuth clientAuth(final String name)
    {
        for (final ClientAuth value : ClientAuth.values())
        {
            if (value.yamlName.equals(name))
            {
                return value;
            }
        }
        throw new IllegalArgumentException(YAML_PATH + ".clientAuth: unknown value '" + name + "'; known: none, requested, required");
    }

    private static TlsProvider provider(final String name)
    {
        final TlsProvider provider = TlsProvider.fromYamlName(name);
        if (provider != null)
        {
            return provider;
        }
        throw new IllegalArgumentException(YAML_PATH + ".provider: unknown value '" + name + "'; known: auto, openssl, jdk");
    }

    @Override
    public String toString()
    {
        return "TlsServerConfig[certificate=" + certificate + ", privateKey=" + privateKey +
            ", privateKeyPassword=" + (privateKeyPassword == null ? "null" : "******") +
            ", privateKeyPasswordFile=" + privateKeyPasswordFile + ", keyStore=" + keyStore +
            ", clientAuth=" + clientAuth.yamlName() + ", trustedCertificates=" + trustedCertificates +
            ", trustStore=" + trustStore + ", protocols=" + protocols + ", cipherSuites=" + cipherSuites +
            ", provider=" + provider.yamlName() + ", principalMappingRules=" + principalMappingRules + ", sni=" + sni +
            ", crlFile=" + crlFile + "]";
    }
}
