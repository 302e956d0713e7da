package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;

/**
 * A key store or trust store file of {@code upstream.tls} ({@code trustStore}, {@code keyStore}); the enclosing
 * {@link BrokerTlsConfig} validates it, naming its YAML path.
 *
 * @param path        the store file. No default.
 * @param type        {@code PKCS12} or {@code JKS}. Default {@code PKCS12}.
 * @param password    the store's password, or null for none.
 * @param keyPassword the key's password in a key store; null means the store's password. Not for trust stores.
 */
public record BrokerTlsStoreConfig(Path path, String type, String password, String keyPassword)
{
    /** The default store type. */
    public static final String DEFAULT_TYPE = "PKCS12";

    /**
     * Reads the store, filling in the default type.
     *
     * @param path        the file, or null (rejected by the enclosing section).
     * @param type        the type, or null.
     * @param password    the password, or null.
     * @param keyPassword the key password, or null.
     * @return the store.
     */
    @JsonCreator
    public static BrokerTlsStoreConfig of(
        @JsonProperty("path") final String path,
        @JsonProperty("type") final String type,
        @JsonProperty("password") final String password,
        @JsonProperty("keyPassword") final String keyPassword)
    {
        return new BrokerTlsStoreConfig(path == null ? null : Path.of(path), type == null ? DEFAULT_TYPE : type, password, keyPassword);
    }

    @Override
    public String toString()
    {
        // Never print the passwords.
        return "BrokerTlsStoreConfig[path=" + path + ", type=" + type + ", password=" + (password == null ? "none" : "***") +
            ", keyPassword=" + (keyPassword == null ? "none" : "***") + "]";
    }
}
