package io.kafkaproxy.proxy.testing;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import java.util.Map;

/**
 * The settings that make Kafka clients log in with SASL: PLAIN and SCRAM with a password, OAUTHBEARER with a signed
 * token ({@link SignedTokenLoginCallbackHandler}), over SASL_PLAINTEXT or SASL_SSL (with {@link TlsClients#ssl}'s
 * trust settings).
 */
public final class SaslClients
{
    private SaslClients()
    {
    }

    /**
     * The JAAS configuration of a password login.
     *
     * @param mechanism {@code PLAIN} or a SCRAM mechanism.
     * @param user      the user.
     * @param password  the password.
     * @return the {@code sasl.jaas.config} value.
     */
    public static String jaas(final String mechanism, final String user, final String password)
    {
        final String module = mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /**
     * Client settings for a password login.
     *
     * @param config           the client's other settings, changed in place.
     * @param securityProtocol {@code SASL_PLAINTEXT} or {@code SASL_SSL}.
     * @param mechanism        {@code PLAIN} or a SCRAM mechanism.
     * @param user             the user.
     * @param password         the password.
     * @return the settings.
     */
    public static Map<String, Object> login(final Map<String, Object> config, final String securityProtocol, final String mechanism,
        final String user, final String password)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        config.put(SaslConfigs.SASL_MECHANISM, mechanism);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, user, password));
        return config;
    }

    /**
     * Client settings for an OAUTHBEARER login with a signed token.
     *
     * @param config           the client's other settings, changed in place.
     * @param securityProtocol {@code SASL_PLAINTEXT} or {@code SASL_SSL}.
     * @param token            the compact JWS ({@link TestJwtIssuer#token}).
     * @return the settings.
     */
    public static Map<String, Object> bearer(final Map<String, Object> config, final String securityProtocol, final String token)
    {
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        config.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
        config.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, SignedTokenLoginCallbackHandler.class);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, SignedTokenLoginCallbackHandler.jaasConfig(token));
        return config;
    }
}
