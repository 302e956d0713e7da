package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A key store or trust store file: {@code keyStore} and {@code trustStore} under a {@code tls} section, a
 * listener's ({@code listener.tls}) or the brokers' ({@code upstream.tls}).
 *
 * <p>The section that holds it checks it with {@link #check}, naming its own YAML path; the store is read when the
 * cluster snapshot is compiled, not here. {@link #toString()} hides the passwords.
 *
 * @param path        the store file. Required.
 * @param type        {@code PKCS12} or {@code JKS}. Default {@code PKCS12}.
 * @param password    the store's password. Required for a key store; a trust store may have none.
 * @param keyPassword the password of the key entry of a key store. Default: the store's password.
 */
public record StoreConfig(Path path, Type type, String password, String keyPassword)
{
    /**
     * The file formats a store may have.
     */
    public enum Type
    {
        /** PKCS#12, the JDK's default since Java 9. */
        PKCS12,
        /** The JDK's older proprietary format. */
        JKS
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param path        the store file, or null.
     * @param type        the type, or null.
     * @param password    the store's password, or null.
     * @param keyPassword the key entry's password, or null.
     * @return the section.
     * @throws IllegalArgumentException if the type is neither {@code PKCS12} nor {@code JKS}.
     */
    @JsonCreator
    public static StoreConfig of(
        @JsonProperty("path") final Path path,
        @JsonProperty("type") final String type,
        @JsonProperty("password") final String password,
        @JsonProperty("keyPassword") final String keyPassword)
    {
        return new StoreConfig(path, type == null ? Type.PKCS12 : type(type), password, keyPassword);
    }

    private static Type type(final String name)
    {
        try
        {
            return Type.valueOf(name.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            // No path here: the parser puts the store's own path in front of a message that does not start with one.
            throw new IllegalArgumentException("unknown store type '" + name + "'; known types: " + Arrays.toString(Type.values()), e);
        }
    }

    /**
     * Checks the store as the section at a YAML path.
     *
     * @param yamlPath where the store is, e.g. {@code listener.tls.keyStore}.
     * @param keyStore true for a key store (which needs a password and may have a key password), false for a trust
     *                 store.
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public void check(final String yamlPath, final boolean keyStore)
    {
        final String problem = problem(keyStore);
        if (problem != null)
        {
            throw new IllegalArgumentException(yamlPath + "." + problem);
        }
    }

    /**
     * The first bad value of the store, for a section that names the store's path itself.
     *
     * @param keyStore true for a key store (which needs a password and may have a key password), false for a trust
     *                 store.
     * @return {@code key: problem}, the key inside the store's section; or null if the store is complete.
     */
    public String problem(final boolean keyStore)
    {
        if (path == null)
        {
            return "path: required";
        }
        if (type == null)
        {
            return "type: required";
        }
        if (keyStore && password == null)
        {
            return "password: required";
        }
        if (!keyStore && keyPassword != null)
        {
            return "keyPassword: a trust store holds no keys; only a key store has a key password";
        }
        return null;
    }

    /**
     * The password of the key entry.
     *
     * @return the key password, else the store's password.
     */
    public String effectiveKeyPassword()
    {
        return keyPassword != null ? keyPassword : password;
    }

    @Override
    public String toString()
    {
        return "StoreConfig[path=" + path + ", type=" + type + ", password=" + (password == null ? "null" : "******") +
            ", keyPassword=" + (keyPassword == null ? "null" : "******") + "]";
    }
}
