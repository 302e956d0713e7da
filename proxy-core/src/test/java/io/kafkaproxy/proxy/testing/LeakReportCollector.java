package io.kafkaproxy.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the reports of Netty's leak detector, which it logs at ERROR through its own logger, so that a test
 * run can fail on them. Configured in {@code logback-test.xml}.
 */
public final class LeakReportCollector extends AppenderBase<ILoggingEvent>
{
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(final ILoggingEvent event)
    {
        if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().contains("LEAK"))
        {
            REPORTS.add(event.getFormattedMessage());
        }
    }

    /**
     * Returns and forgets the reports collected so far that contain a text, leaving the others for
     * {@link NoBufferLeaksExtension}: for a test that leaks on purpose.
     *
     * @param text what a report must contain.
     * @return the reports that did.
     */
    public static List<String> drainContaining(final String text)
    {
        final List<String> matching = REPORTS.stream().filter(report -> report.contains(text)).toList();
        REPORTS.removeAll(matching);
        return matching;
    }

    /**
     * Returns and forgets the reports collected so far.
     *
     * @return the leak reports.
     */
    public static List<String> drain()
    {
        final List<String> reports = List.copyOf(REPORTS);
        REPORTS.clear();
        return reports;
    }
}
