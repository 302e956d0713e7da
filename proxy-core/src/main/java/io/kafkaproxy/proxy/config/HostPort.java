package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A host and port, written {@code host:port} ({@code [::1]:9092} for IPv6 literals).
 *
 * @param host a host name or address literal, never empty.
 * @param port 0 to 65535; 0 asks for an ephemeral port where the address is bound.
 */
public record HostPort(String host, int port)
{
    /**
     * Validates the address.
     *
     * @throws IllegalArgumentException if the host is empty or the port is out of range.
     */
    public HostPort
    {
        if (host == null || host.isBlank())
        {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range: port=" + port);
        }
    }

    /**
     * Parses {@code host:port}.
     *
     * @param value the text.
     * @return the address.
     * @throws IllegalArgumentException if the text is not {@code host:port}.
     */
    @JsonCreator
    public static HostPort parse(final String value)
    {
        final String text = value == null ? "" : value.trim();
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'", e);
        }
        return new HostPort(host, port);
    }

    @JsonValue
    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
