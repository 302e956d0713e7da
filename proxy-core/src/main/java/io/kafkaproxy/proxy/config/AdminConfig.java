package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code admin} section: the HTTP listener for {@code /metrics}, {@code /healthz} and {@code /readyz}, kept
 * apart from the Kafka listeners so that it can stay on loopback or a management network.
 *
 * @param enabled     whether the listener runs. Default true.
 * @param bindAddress host and port. Default {@code 127.0.0.1:9190}; port 0 binds an ephemeral port.
 */
public record AdminConfig(boolean enabled, HostPort bindAddress)
{
    /** Default admin listener address. */
    public static final HostPort DEFAULT_BIND_ADDRESS = new HostPort("127.0.0.1", 9190);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the bad value.
     */
    public AdminConfig
    {
        if (bindAddress == null)
        {
            throw new IllegalArgumentException("admin.bindAddress: required");
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param enabled     whether the listener runs, or null.
     * @param bindAddress the address, or null.
     * @return the section.
     */
    @JsonCreator
    public static AdminConfig of(
        @JsonProperty("enabled") final Boolean enabled,
        @JsonProperty("bindAddress") final HostPort bindAddress)
    {
        return new AdminConfig(enabled == null || enabled, bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static AdminConfig defaults()
    {
        return of(null, null);
    }

    /**
     * The same section, enabled, on another address.
     *
     * @param newBindAddress the new address.
     * @return the new section.
     */
    public AdminConfig withBindAddress(final HostPort newBindAddress)
    {
        return new AdminConfig(true, newBindAddress);
    }
}
