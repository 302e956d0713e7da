package io.kafkaproxy.proxy.testing;

import io.kafkaproxy.proxy.testing.TestCertificates.Issued;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The settings of an in-JVM broker ({@link InJvmKafka}) whose client listener speaks TLS or SASL_SSL: its own
 * authority, a certificate for {@code localhost}, key and trust stores written to a directory, and the admin login
 * that creates SCRAM users straight at the broker.
 *
 * <p>The listener keeps the name the embedded cluster wires its ports under ({@code PLAINTEXT}) and changes only its
 * security protocol.
 */
public final class SecuredBrokerSettings
{
    /** The broker's own PLAIN user, which also creates SCRAM users. */
    public static final String ADMIN = "admin";
    /** The admin's password. */
    public static final String ADMIN_PASSWORD = "admin-secret";

    private final Issued authority;
    private final Path authorityPem;
    private final Path trustStore;
    private final Path keyStore;

    private SecuredBrokerSettings(final Issued authority, final Path authorityPem, final Path trustStore, final Path keyStore)
    {
        this.authority = authority;
        this.authorityPem = authorityPem;
        this.trustStore = trustStore;
        this.keyStore = keyStore;
    }

    /**
     * Makes an authority and the broker's certificate, and writes them to a directory.
     *
     * @param directory where the PEM file and stores go.
     * @return the settings.
     */
    public static SecuredBrokerSettings issue(final Path directory)
    {
        final Issued authority = TestCertificates.authority("broker-ca");
        // The broker is reached as localhost (it advertises that name). Server and client purposes both: the broker
        // checks at start that its key store serves either end.
        final Instant now = Instant.now();
        final Issued broker = TestCertificates.issue(authority, "CN=broker", now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)), List.of("localhost"));
        return new SecuredBrokerSettings(authority,
            TestCertificates.writeTrustPem(directory.resolve("broker-ca.pem"), authority.certificate()),
            TestCertificates.writeTrustStore(directory.resolve("broker-trust.p12"), "PKCS12", authority.certificate()),
            broker.writeKeyStore(directory.resolve("broker.p12"), "PKCS12"));
    }

    /**
     * The authority that signed the broker's certificate, to sign client certificates the broker trusts.
     *
     * @return the authority.
     */
    public Issued authority()
    {
        return authority;
    }

    /**
     * The authority as a PEM file, for {@code upstream.tls.trustedCertificates}.
     *
     * @return the file.
     */
    public Path authorityPem()
    {
        return authorityPem;
    }

    /**
     * Broker settings for a client listener that speaks TLS.
     *
     * @param clientAuth {@code none}, {@code requested} or {@code required}.
     * @return the overrides, to adjust.
     */
    public Map<String, String> ssl(final String clientAuth)
    {
        final Map<String, String> overrides = stores();
        overrides.put("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT");
        overrides.put("ssl.client.auth", clientAuth);
        return overrides;
    }

    /**
     * Broker settings for a client listener that speaks SASL_SSL with PLAIN (the admin and the given users) and
     * SCRAM-SHA-512 (users created with {@link #createScramUser}).
     *
     * @param plainUsers the PLAIN users beside the admin, with their passwords.
     * @return the overrides, to adjust.
     */
    public Map<String, String> saslSsl(final Map<String, String> plainUsers)
    {
        final Map<String, String> overrides = stores();
        overrides.put("listener.security.protocol.map", "PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT");
        overrides.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        overrides.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        final StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"")
            .append(ADMIN).append("\" password=\"").append(ADMIN_PASSWORD).append("\" user_").append(ADMIN).append("=\"")
            .append(ADMIN_PASSWORD).append('"');
        plainUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        overrides.put("listener.name.plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
        overrides.put("listener.name.plaintext.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        return overrides;
    }

    /**
     * Client settings for a SASL_SSL broker made with {@link #saslSsl}, logged in as the admin with PLAIN.
     *
     * @param bootstrapServers the broker.
     * @return the settings of an admin, producer or consumer, to add serializers to.
     */
    public Map<String, Object> saslSslAdminClient(final String bootstrapServers)
    {
        final Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        client.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        client.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
        client.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        client.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        client.put(SaslConfigs.SASL_JAAS_CONFIG, SaslClients.jaas("PLAIN", ADMIN, ADMIN_PASSWORD));
        return client;
    }

    /**
     * Creates a SCRAM-SHA-512 user in the cluster's metadata, logged in as the admin straight to a SASL_SSL broker.
     *
     * @param bootstrapServers the broker.
     * @param user             the user.
     * @param password         the password.
     */
    public void createScramUser(final String bootstrapServers, final String user, final String password)
    {
        final Map<String, Object> admin = new HashMap<>();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        admin.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        admin.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
        admin.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        admin.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        admin.put(SaslConfigs.SASL_JAAS_CONFIG, SaslClients.jaas("PLAIN", ADMIN, ADMIN_PASSWORD));
        try (Admin client = Admin.create(admin))
        {
            client.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            throw new IllegalStateException("SCRAM user not created: user=" + user, e);
        }
    }

    private Map<String, String> stores()
    {
        final Map<String, String> overrides = new HashMap<>();
        overrides.put("ssl.keystore.type", "PKCS12");
        overrides.put("ssl.keystore.location", keyStore.toString());
        overrides.put("ssl.keystore.password", TestCertificates.PASSWORD);
        overrides.put("ssl.key.password", TestCertificates.PASSWORD);
        overrides.put("ssl.truststore.type", "PKCS12");
        overrides.put("ssl.truststore.location", trustStore.toString());
        overrides.put("ssl.truststore.password", TestCertificates.PASSWORD);
        return overrides;
    }
}
