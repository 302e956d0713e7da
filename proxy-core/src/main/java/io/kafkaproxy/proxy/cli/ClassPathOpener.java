package io.kafkaproxy.proxy.cli;

import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;

/**
 * Opens every jar of the class path on a daemon thread at start-up, while the main thread parses the command line.
 *
 * <p>Why: with the launcher's class-data archive, classes come from the archive and no jar is opened for them. The
 * first lookup that no archived class answers (logback's and SLF4J's service lookups, a class probed for and not
 * there) opens every jar in {@code lib/} in turn, reading each one's central directory and manifest: 40 to 120 ms
 * on the main thread before the first listener binds (bench/RESULTS.md, "issue 15: start-up"). The class loader keeps
 * the jars open once opened, so a later lookup finds them ready; on a machine with a second core the opening costs the
 * start nothing, on one without it costs what it did. It asks for exactly what logback asks for first.
 */
final class ClassPathOpener
{
    /** The resource logback's own start-up looks for in every jar (its {@code Configurator} services). */
    static final String LOGBACK_CONFIGURATORS = "META-INF/services/ch.qos.logback.classic.spi.Configurator";

    private ClassPathOpener()
    {
    }

    /**
     * Starts the thread.
     *
     * @param classLoader the loader whose jars to open: the application class loader.
     * @return the started daemon thread.
     */
    static Thread start(final ClassLoader classLoader)
    {
        final Thread thread = new Thread(() -> openAll(classLoader), "class-path-opener");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Opens every jar of a loader's class path by looking for a resource in each.
     *
     * @param classLoader the loader.
     * @return how many jars had the resource, -1 if the class path could not be read.
     */
    static int openAll(final ClassLoader classLoader)
    {
        try
        {
            final Enumeration<URL> found = classLoader.getResources(LOGBACK_CONFIGURATORS);
            int count = 0;
            while (found.hasMoreElements())
            {
                found.nextElement();
                count++;
            }
            return count;
        }
        catch (final IOException e)
        {
            // Only a head start: the lookup that needs the jars opens them itself and reports what it meets.
            return -1;
        }
    }
}
