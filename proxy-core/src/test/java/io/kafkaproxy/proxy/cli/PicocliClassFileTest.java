package io.kafkaproxy.proxy.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.DataInputStream;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * picocli on the classpath is the Java 17 build of its sources (module cli-picocli), not its binary jar: JDK 17's
 * class-data archive cannot hold the binary jar's Java 5 class files, which cost a third of the start-up.
 */
class PicocliClassFileTest
{
    private static final int JAVA_17_MAJOR_VERSION = 61;

    @Test
    void shouldLoadPicocliCompiledForJava17SoTheClassDataArchiveHoldsIt() throws Exception
    {
        // When
        final int majorVersion;
        try (InputStream classFile = CommandLine.class.getResourceAsStream("CommandLine.class");
            DataInputStream in = new DataInputStream(classFile))
        {
            in.readInt(); // magic
            in.readUnsignedShort(); // minor version
            majorVersion = in.readUnsignedShort();
        }

        // Then
        assertThat(majorVersion).isEqualTo(JAVA_17_MAJOR_VERSION);
        assertThat(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toString())
            .doesNotContain("info/picocli");
    }
}
