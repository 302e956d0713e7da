package io.kafkaproxy.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Sets logback up in code, as the distribution's {@code conf/logback.xml} would, when that is the file logback was
 * pointed at and it is unchanged; any other file (an operator's edit) or none is left to logback's own XML reader.
 *
 * <p>Why: reading the XML loads some 600 classes (the JDK's XML parser and logback's configuration model) and runs
 * them once, a noticeable part of the time from launch to the first listener bound; the same appender, pattern and
 * levels set in code load a small part of them. A registered {@link Configurator} runs before logback's own
 * ({@code META-INF/services}); answering {@link ExecutionStatus#INVOKE_NEXT_IF_ANY} hands over to them. A test checks
 * that the shipped file's checksum is the one here and that both set up the same thing.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ShippedLogbackConfigurator extends ContextAwareBase implements Configurator
{
    /** CRC-32 of {@code conf/logback.xml} as shipped. */
    static final long SHIPPED_CRC32 = 1771189390L;
    /** Its length in bytes. */
    static final long SHIPPED_LENGTH = 1133;
    /** The shipped file's pattern. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg %kvp%n";
    /** The shipped file's loggers at ERROR: the embedded broker of {@code kafka-proxy demo}. */
    static final List<String> QUIET_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");

    /**
     * Required by the service loader.
     */
    public ShippedLogbackConfigurator()
    {
    }

    @Override
    public ExecutionStatus configure(final LoggerContext context)
    {
        final String file = System.getProperty("logback.configurationFile");
        if (file == null || !isShipped(Path.of(file)))
        {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Whether a file is the shipped {@code conf/logback.xml}, byte for byte.
     *
     * @param file the file.
     * @return true if its length and checksum are the shipped file's; false if they differ or it cannot be read.
     */
    static boolean isShipped(final Path file)
    {
        try
        {
            if (Files.size(file) != SHIPPED_LENGTH)
            {
                return false;
            }
            final CRC32 crc = new CRC32();
            crc.update(Files.readAllBytes(file));
            return crc.getValue() == SHIPPED_CRC32;
        }
        catch (final IOException | RuntimeException e)
        {
            // Let logback's own reader meet the same problem and report it as it does.
            return false;
        }
    }

    /**
     * Sets up what the shipped file does: status messages silenced, one console appender with its pattern on the
     * root logger at INFO, and the demo broker's loggers at ERROR.
     *
     * @param context the logger context.
     */
    static void apply(final LoggerContext context)
    {
        final NopStatusListener statusListener = new NopStatusListener();
        context.getStatusManager().add(statusListener);
        final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        final ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDOUT");
        appender.setEncoder(encoder);
        appender.start();
        final ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        for (final String name : QUIET_LOGGERS)
        {
            context.getLogger(name).setLevel(Level.ERROR);
        }
    }
}
