package io.kafkaproxy.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Captures what one logger writes, to count the lines a failure produces.
 */
public final class LogCapture implements AutoCloseable
{
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /**
     * Starts capturing a class's logger.
     *
     * @param type the class whose logger to capture.
     */
    public LogCapture(final Class<?> type)
    {
        this(type.getName());
    }

    /**
     * Starts capturing a logger by name.
     *
     * @param name the logger's name.
     */
    public LogCapture(final String name)
    {
        logger = (Logger)LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /**
     * The messages logged at a level so far.
     *
     * @param level the level.
     * @return the messages.
     */
    public List<String> messages(final Level level)
    {
        synchronized (appender)
        {
            return appender.list.stream().filter(event -> event.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /**
     * The events logged at a level so far, with their key-values.
     *
     * @param level the level.
     * @return the events.
     */
    public List<ILoggingEvent> events(final Level level)
    {
        synchronized (appender)
        {
            return appender.list.stream().filter(event -> event.getLevel() == level).toList();
        }
    }

    /**
     * Forgets what was captured.
     */
    public void clear()
    {
        synchronized (appender)
        {
            appender.list.clear();
        }
    }

    @Override
    public void close()
    {
        logger.detachAppender(appender);
    }
}
