package io.kafkaproxy.proxy.cluster;

import io.kafkaproxy.proxy.config.BrokerSaslConfig;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The proxy's own credentials at one cluster's brokers ({@code upstream.sasl}), its password file read when the
 * snapshot was compiled.
 *
 * @param mechanism the SASL mechanism.
 * @param username  the proxy's user name.
 * @param password  its password; never printed.
 */
public record BrokerLoginCredentials(BrokerSaslMechanism mechanism, String username, String password)
{
    /**
     * Reads the section's password (inline or from its file).
     *
     * @param config the {@code upstream.sasl} section.
     * @return the credentials.
     * @throws IllegalArgumentException naming {@code upstream.sasl.passwordFile} and the file if it does not load.
     */
    public static BrokerLoginCredentials compile(final BrokerSaslConfig config)
    {
        return compile(config, "upstream.sasl");
    }

    /**
     * Reads a login section standing elsewhere ({@code mirror.sasl}, {@code upstream.standby.sasl}).
     *
     * @param config   the section.
     * @param yamlPath its YAML path, named in errors.
     * @return the credentials.
     * @throws IllegalArgumentException naming {@code <yamlPath>.passwordFile} and the file if it does not load.
     */
    public static BrokerLoginCredentials compile(final BrokerSaslConfig config, final String yamlPath)
    {
        final String password = config.password() != null ? config.password() : readPasswordFile(config, yamlPath);
        return new BrokerLoginCredentials(config.mechanism(), config.username(), password);
    }

    private static String readPasswordFile(final BrokerSaslConfig config, final String yamlPath)
    {
        try
        {
            final List<String> lines = Files.readAllLines(config.passwordFile(), StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty())
            {
                throw new IllegalArgumentException(yamlPath + ".passwordFile: the file is empty: file=" + config.passwordFile());
            }
            return lines.get(0);
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(yamlPath + ".passwordFile: no such file: file=" + config.passwordFile(), e);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(yamlPath + ".passwordFile: cannot read: file=" + config.passwordFile() +
                ", error=" + e, e);
        }
    }

    @Override
    public String toString()
    {
        // Never print the password.
        return "BrokerLoginCredentials[mechanism=" + mechanism.mechanismName() + ", username=" + username + ", password=***]";
    }
}
