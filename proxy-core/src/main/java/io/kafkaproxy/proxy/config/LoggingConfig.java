package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code logging} section: log levels, changeable by a reload. Where lines go (the console by default) is
 * the logging backend's file, {@code conf/logback.xml}.
 *
 * @param level   the root level: {@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG} or {@code TRACE}.
 *                Default INFO.
 * @param loggers levels of single loggers by name ({@code io.kafkaproxy.proxy.connection: DEBUG}). Default none.
 */
public record LoggingConfig(String level, Map<String, String> loggers)
{
    /** Default root level. */
    public static final String DEFAULT_LEVEL = "INFO";
    private static final Set<String> LEVELS = Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE", "OFF");

    /**
     * Validates the section.
     *
     * @throws IllegalArgumentException naming the YAML path of the first bad value.
     */
    public LoggingConfig
    {
        level = level(level, "logging.level");
        final Map<String, String> normalized = new LinkedHashMap<>();
        if (loggers != null)
        {
            for (final Map.Entry<String, String> logger : loggers.entrySet())
            {
                normalized.put(logger.getKey(), level(logger.getValue(), "logging.loggers." + logger.getKey()));
            }
        }
        loggers = Map.copyOf(normalized);
    }

    private static String level(final String text, final String path)
    {
        final String level = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level))
        {
            throw new IllegalArgumentException(path + ": not a log level: " + text + "; one of ERROR, WARN, INFO, DEBUG, TRACE, OFF");
        }
        return level;
    }

    /**
     * Reads the section, filling in defaults for absent keys.
     *
     * @param level   the root level, or null.
     * @param loggers levels by logger name, or null.
     * @return the section.
     */
    @JsonCreator
    public static LoggingConfig of(
        @JsonProperty("level") final String level,
        @JsonProperty("loggers") final Map<String, String> loggers)
    {
        return new LoggingConfig(level == null ? DEFAULT_LEVEL : level, loggers);
    }

    /**
     * The defaults.
     *
     * @return the section with every default.
     */
    public static LoggingConfig defaults()
    {
        return of(null, null);
    }

    /**
     * The same section with another root level.
     *
     * @param newLevel the root level.
     * @return the new section.
     */
    public LoggingConfig withLevel(final String newLevel)
    {
        return new LoggingConfig(newLevel, loggers);
    }
}
