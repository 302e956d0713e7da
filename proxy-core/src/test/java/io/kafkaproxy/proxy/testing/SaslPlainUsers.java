package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import java.util.HashMap;
import java.util.Map;

/**
 * A broker that requires SASL/PLAIN on its client listener, with a few users, and the client settings to log in
 * as each of them.
 *
 * <p>The broker's listener keeps the name {@code PLAINTEXT} (the embedded cluster wires its ports under that name)
 * but speaks {@code SASL_PLAINTEXT}; brokers talk to each other as {@link #ADMIN}. The controller listener stays
 * plaintext.
 */
public final class SaslPlainUsers
{
    /** The broker's own user. */
    public static final String ADMIN = "admin";
    /** A user the tests deny things to. */
    public static final String ALICE = "alice";
    /** A user the tests allow. */
    public static final String BOB = "bob";

    private SaslPlainUsers()
    {
    }

    /**
     * Broker settings for a SASL/PLAIN client listener knowing {@link #ADMIN}, {@link #ALICE} and {@link #BOB}.
     *
     * @return the settings, to pass as broker overrides.
     */
    public static Map<String, String> brokerOverrides()
    {
        final Map<String, String> overrides = new HashMap<>();
        overrides.put("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        overrides.put("sasl.enabled.mechanisms", "PLAIN");
        overrides.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        overrides.put("listener.name.plaintext.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required " +
                "username=\"" + ADMIN + "\" password=\"" + password(ADMIN) + "\" " +
                "user_" + ADMIN + "=\"" + password(ADMIN) + "\" " +
                "user_" + ALICE + "=\"" + password(ALICE) + "\" " +
                "user_" + BOB + "=\"" + password(BOB) + "\";");
        return overrides;
    }

    /**
     * Adds the settings that log a client in as a user.
     *
     * @param config the client's settings, changed in place.
     * @param user   the user.
     * @return the same settings.
     */
    public static Map<String, Object> loginAs(final Map<String, Object> config, final String user)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        config.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required " +
            "username=\"" + user + "\" password=\"" + password(user) + "\";");
        return config;
    }

    /**
     * Client settings for {@link #ADMIN} straight to the broker.
     *
     * @param bootstrapServers the broker's own address.
     * @return the settings.
     */
    public static Map<String, Object> adminDirect(final String bootstrapServers)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return loginAs(config, ADMIN);
    }

    private static String password(final String user)
    {
        return user + "-secret";
    }
}
