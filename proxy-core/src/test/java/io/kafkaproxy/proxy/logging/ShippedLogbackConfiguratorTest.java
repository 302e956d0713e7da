package io.kafkaproxy.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShippedLogbackConfiguratorTest
{
    private static final Path SHIPPED = Path.of("..", "conf", "logback.xml");

    @Test
    void shouldRecogniseTheShippedFile()
    {
        // When / Then: a change to conf/logback.xml must come with the same change in code, and a new checksum
        assertThat(ShippedLogbackConfigurator.isShipped(SHIPPED)).isTrue();
    }

    @Test
    void shouldLeaveAnyOtherFileToLogback(@TempDir final Path directory) throws IOException
    {
        // Given: the shipped file with one level changed, and no file at all
        final Path edited = directory.resolve("logback.xml");
        Files.writeString(edited, Files.readString(SHIPPED).replace("<root level=\"INFO\">", "<root level=\"DEBUG\">"));

        // When / Then
        assertThat(ShippedLogbackConfigurator.isShipped(edited)).isFalse();
        assertThat(ShippedLogbackConfigurator.isShipped(directory.resolve("absent.xml"))).isFalse();
    }

    @Test
    void shouldSetUpWhatTheShippedFileSetsUp() throws JoranException
    {
        // Given
        final LoggerContext fromXml = new LoggerContext();
        final JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(SHIPPED.toFile());
        final LoggerContext inCode = new LoggerContext();

        // When
        ShippedLogbackConfigurator.apply(inCode);

        // Then
        assertThat(describe(inCode)).isEqualTo(describe(fromXml));
        assertThat(describe(inCode)).contains("ROOT=INFO", "kafka=ERROR", "org.apache.kafka=ERROR", "state.change.logger=ERROR")
            .anyMatch(line -> line.startsWith(ConsoleAppender.class.getName() + " STDOUT"));
        fromXml.stop();
        inCode.stop();
    }

    private static List<String> describe(final LoggerContext context)
    {
        final List<String> description = new ArrayList<>();
        for (final ch.qos.logback.classic.Logger logger : context.getLoggerList())
        {
            final Level level = logger.getLevel();
            if (level != null)
            {
                description.add(logger.getName() + "=" + level);
            }
        }
        final ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.iteratorForAppenders().forEachRemaining(appender -> description.add(describe(appender)));
        for (final StatusListener listener : context.getStatusManager().getCopyOfStatusListenerList())
        {
            description.add("status listener " + listener.getClass().getName());
        }
        return description;
    }

    private static String describe(final Appender<?> appender)
    {
        final ConsoleAppender<?> console = (ConsoleAppender<?>)appender;
        final PatternLayoutEncoder encoder = (PatternLayoutEncoder)console.getEncoder();
        return console.getClass().getName() + " " + console.getName() + " " + console.getTarget() + " " + console.isStarted() +
            " " + encoder.getPattern() + " " + encoder.getCharset() + " " + console.isImmediateFlush();
    }
}
