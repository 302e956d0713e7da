package io.kafkaproxy.proxy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClassPathOpenerTest
{
    @TempDir
    Path directory;

    @Test
    void shouldLookInEveryJarForLogbacksConfigurators() throws Exception
    {
        // Given: three jars, two of them with a Configurator service file
        final URL[] jars = {
            jar("a.jar", ClassPathOpener.LOGBACK_CONFIGURATORS), jar("b.jar", "other/file.txt"),
            jar("c.jar", ClassPathOpener.LOGBACK_CONFIGURATORS)};
        try (URLClassLoader loader = new URLClassLoader(jars, null))
        {
            // When
            final int found = ClassPathOpener.openAll(loader);

            // Then
            assertThat(found).isEqualTo(2);
        }
    }

    @Test
    void shouldOpenOnADaemonThreadThatEnds() throws Exception
    {
        // Given
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar("a.jar", "x.txt")}, null))
        {
            // When
            final Thread thread = ClassPathOpener.start(loader);

            // Then: it never holds the process up
            assertThat(thread.isDaemon()).isTrue();
            assertThat(thread.getName()).isEqualTo("class-path-opener");
            await().atMost(Duration.ofSeconds(10)).until(() -> !thread.isAlive());
        }
    }

    @Test
    void commandLineShouldTurnOffPicocliGroovyClosureLookup()
    {
        // When
        KafkaProxyCommand.commandLine();

        // Then: picocli does not probe the class path for groovy.lang.Closure
        assertThat(System.getProperty(KafkaProxyCommand.DISABLE_GROOVY_CLOSURES)).isEqualTo("true");
    }

    private URL jar(final String name, final String entry) throws IOException
    {
        final Path jar = directory.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out))
        {
            jarOut.putNextEntry(new JarEntry(entry));
            jarOut.write("ch.example.Configurator\n".getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar.toUri().toURL();
    }
}
