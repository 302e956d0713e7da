package io.kafkaproxy.proxy.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.kafkaproxy.proxy.config.LoggingConfig;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * Sets the logging backend's levels from the {@code logging} section, at start and on each reload.
 *
 * <p>A logger named by one configuration and not by the next goes back to inheriting its level. Called from one
 * thread at a time (start-up, then the reload thread).
 */
public final class LogLevels
{
    private final Set<String> configuredLoggers = new HashSet<>();

    /**
     * Applies a logging section.
     *
     * @param logging the levels.
     * @return false if the backend is not Logback, so levels cannot be set (the section is then ignored).
     */
    public boolean apply(final LoggingConfig logging)
    {
        final ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext))
        {
            return false;
        }
        final LoggerContext context = (LoggerContext)factory;
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(logging.level()));
        for (final String name : configuredLoggers)
        {
            if (!logging.loggers().containsKey(name))
            {
                context.getLogger(name).setLevel(null);
            }
        }
        configuredLoggers.clear();
        logging.loggers().forEach((name, level) ->
        {
            final Logger logger = context.getLogger(name);
            logger.setLevel(Level.toLevel(level));
            configuredLoggers.add(name);
        });
        return true;
    }
}
