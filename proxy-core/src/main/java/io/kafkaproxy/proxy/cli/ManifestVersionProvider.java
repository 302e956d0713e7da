package io.kafkaproxy.proxy.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * Reads the version from the jar manifest, where the build writes it.
 */
final class ManifestVersionProvider implements IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        final String version = KafkaProxyCommand.class.getPackage().getImplementationVersion();
        return new String[] {"kafka-proxy " + (version == null ? "development build" : version),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
