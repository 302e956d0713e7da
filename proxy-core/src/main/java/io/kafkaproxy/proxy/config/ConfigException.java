package io.kafkaproxy.proxy.config;

/**
 * A configuration file that cannot be used; the message names the file, the YAML path and, when known, the
 * line.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where.
     * @param cause   the parser's error, or null.
     */
    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
