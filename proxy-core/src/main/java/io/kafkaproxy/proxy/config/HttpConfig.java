package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * The {@code http} section: the HTTP gateway (REST Proxy v2/v3 produce and metadata, live subscriptions over SSE and
 * WebSocket). Absent: no HTTP listener. Changing it takes a restart, except the files {@code tls} and {@code auth} name,
 * which a reload re-reads.
 *
 * @param bindAddress  host and port. No default; port 0 binds an ephemeral port.
 * @param maxBodyBytes the largest request body; larger ones are answered 413. Default 8MiB.
 * @param idleTimeout  how long a keep-alive connection may stay idle. Default 5m.
 * @param tls          TLS for HTTP clients (ALPN h2 and http/1.1), the keys of {@code listener.tls}; null: cleartext
 *                     (HTTP/1.1 and h2c).
 * @param auth         how clients authenticate. Default: anonymous.
 */
public record HttpConfig(HostPort bindAddress, long maxBodyBytes, Duration idleTimeout, TlsServerConfig tls, GatewayAuthConfig auth)
{
    /** Default largest body. */
    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
    /** Default idle timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the bad value.
     */
    public HttpConfig
    {
        if (bindAddress == null)
        {
            throw new IllegalArgumentException("http.bindAddress: required");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("http.maxBodyBytes: must be between 1B and 2GiB: " + maxBodyBytes);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero())
        {
            throw new IllegalArgumentException("http.idleTimeout: must be positive: " + idleTimeout);
        }
        if (auth == null)
        {
            auth = GatewayAuthConfig.ANONYMOUS;
        }
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param bindAddress  the address.
     * @param maxBodyBytes the largest body ({@code 8MiB}), or null.
     * @param idleTimeout  the idle timeout, or null.
     * @param tls          the TLS settings, or null.
     * @param auth         the authentication settings, or null.
     * @return the section.
     */
    @JsonCreator
    public static HttpConfig of(
        @JsonProperty("bindAddress") final HostPort bindAddress,
        @JsonProperty("maxBodyBytes") final String maxBodyBytes,
        @JsonProperty("idleTimeout") final Duration idleTimeout,
        @JsonProperty("tls") final TlsServerConfig tls,
        @JsonProperty("auth") final GatewayAuthConfig auth)
    {
        return new HttpConfig(bindAddress, size("http.maxBodyBytes", maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
            idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout, tls, auth);
    }

    /**
     * An HTTP listener on an address, every other key at its default: what {@code --http-listen} makes.
     *
     * @param bindAddress the address.
     * @return the section.
     */
    public static HttpConfig listeningOn(final HostPort bindAddress)
    {
        return of(bindAddress, null, null, null, null);
    }

    /**
     * The same section on another address.
     *
     * @param newBindAddress the address.
     * @return the section.
     */
    public HttpConfig withBindAddress(final HostPort newBindAddress)
    {
        return new HttpConfig(newBindAddress, maxBodyBytes, idleTimeout, tls, auth);
    }

    /**
     * The same section with the settings a reload applies live: its TLS and authentication (their files are read
     * again at every reload anyway).
     *
     * @param newTls  the TLS settings.
     * @param newAuth the authentication settings.
     * @return the section.
     */
    public HttpConfig withLiveSecurity(final TlsServerConfig newTls, final GatewayAuthConfig newAuth)
    {
        return new HttpConfig(bindAddress, maxBodyBytes, idleTimeout, newTls, newAuth);
    }

    static long size(final String path, final String text, final long defaultBytes)
    {
        if (text == null)
        {
            return defaultBytes;
        }
        try
        {
            return Units.parseBytes(text);
        }
        catch (final IllegalArgumentException | ArithmeticException e)
        {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
