package io.kafkaproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The TLS material of a TLS end-to-end run, made with the JDK's {@code keytool} in the run's work directory: one
 * self-signed EC P-256 certificate for {@code 127.0.0.1} and {@code localhost} in a PKCS#12 key store (the broker's
 * and the proxy's server certificate), and a trust store holding it (the clients', and the proxy's towards the
 * broker). One certificate for both hops keeps the two paths alike: the direct client and the proxy each verify
 * the same certificate with the same algorithm.
 *
 * @param keyStore   the PKCS#12 key store.
 * @param trustStore the PKCS#12 trust store.
 * @param password   both stores' password.
 */
record TlsBenchMaterial(Path keyStore, Path trustStore, String password)
{
    /**
     * Makes the stores.
     *
     * @param directory where.
     * @return the material.
     * @throws Exception if keytool fails.
     */
    static TlsBenchMaterial create(final Path directory) throws Exception
    {
        final String password = "bench-password";
        final Path keyStore = directory.resolve("server.p12");
        final Path certificate = directory.resolve("server.pem");
        final Path trustStore = directory.resolve("trust.p12");
        keytool(directory, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=localhost,O=kafka-proxy bench", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
            "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password);
        keytool(directory, "-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass",
            password, "-file", certificate.toString());
        keytool(directory, "-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
            "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
        return new TlsBenchMaterial(keyStore, trustStore, password);
    }

    /**
     * The broker's settings for an SSL client listener with this certificate. The listener keeps its name,
     * {@code PLAINTEXT}, mapped to the SSL protocol.
     *
     * @return the overrides.
     */
    Map<String, String> brokerOverrides()
    {
        return Map.of(
            "listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT",
            "ssl.keystore.location", keyStore.toString(),
            "ssl.keystore.type", "PKCS12",
            "ssl.keystore.password", password,
            "ssl.key.password", password,
            "ssl.truststore.location", trustStore.toString(),
            "ssl.truststore.type", "PKCS12",
            "ssl.truststore.password", password);
    }

    /**
     * A Kafka client properties file for SSL with this trust store, hostname verification on.
     *
     * @param file where.
     * @return the file.
     * @throws IOException if it cannot be written.
     */
    Path writeClientProperties(final Path file) throws IOException
    {
        Files.writeString(file, String.join("\n",
            "security.protocol=SSL",
            "ssl.truststore.location=" + trustStore,
            "ssl.truststore.type=PKCS12",
            "ssl.truststore.password=" + password,
            ""));
        return file;
    }

    /**
     * The Kafka client settings of {@link #writeClientProperties}, for the benchmark's own admin client.
     *
     * @return the settings.
     */
    Map<String, Object> clientSettings()
    {
        return Map.of("security.protocol", "SSL", "ssl.truststore.location", trustStore.toString(),
            "ssl.truststore.type", "PKCS12", "ssl.truststore.password", password);
    }

    /**
     * The proxy's configuration for TLS on both sides with this certificate: its listener presents it, and it
     * trusts it towards the broker. Listener addresses, upstream servers and logging come from the flags.
     *
     * @param file     where.
     * @param provider {@code openssl} or {@code jdk}, on both sides.
     * @return the file.
     * @throws IOException if it cannot be written.
     */
    Path writeProxyConfig(final Path file, final String provider) throws IOException
    {
        Files.writeString(file, String.join("\n",
            "listener:",
            "  tls:",
            "    keyStore: {path: " + keyStore + ", type: PKCS12, password: " + password + ", keyPassword: " + password + "}",
            "    provider: " + provider,
            "upstream:",
            "  bootstrapServers: [127.0.0.1:9092]",
            "  tls:",
            "    trustStore: {path: " + trustStore + ", type: PKCS12, password: " + password + "}",
            "    provider: " + provider,
            ""));
        return file;
    }

    private static void keytool(final Path directory, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Path output = directory.resolve("keytool.log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IllegalStateException("keytool " + args[0] + " failed:\n" + Files.readString(output));
        }
    }
}
