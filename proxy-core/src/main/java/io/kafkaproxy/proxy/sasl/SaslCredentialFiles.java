package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.SaslMechanism;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.jwk.JWKSet;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the credential files of {@code listener.sasl}: the PLAIN users file, the SCRAM credentials file and the JWKS.
 *
 * <pre>
 *   # plainUsersFile                                  # scramCredentialsFile
 *   users:                                            users:
 *     alice:                                            alice:
 *       algorithm: PBKDF2WithHmacSHA512                   SCRAM-SHA-512:
 *       iterations: 210000                                  salt: base64
 *       salt: base64                                        iterations: 4096
 *       hash: base64                                        storedKey: base64
 *                                                           serverKey: base64
 * </pre>
 *
 * <p>Every problem is an {@link IllegalArgumentException} reading {@code yaml.path: file: problem}. Stateless; called
 * off the event loops (start, reload).
 */
public final class SaslCredentialFiles
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SaslCredentialFiles()
    {
    }

    /**
     * Reads a PLAIN users file.
     *
     * @param file     the file.
     * @param yamlPath the configuration key that names it, for messages.
     * @return the salted hash of each user.
     * @throws IllegalArgumentException if the file cannot be read or an entry is malformed.
     */
    public static Map<String, PlainPasswordHash> readPlainUsers(final Path file, final String yamlPath)
    {
        final Map<String, PlainPasswordHash> users = new LinkedHashMap<>();
        final Iterator<Map.Entry<String, JsonNode>> entries = usersOf(file, yamlPath);
        while (entries.hasNext())
        {
            final Map.Entry<String, JsonNode> entry = entries.next();
            final String where = "users." + entry.getKey();
            final JsonNode user = entry.getValue();
            try
            {
                final String algorithm = text(user, "algorithm");
                if (!PlainPasswordHash.ALGORITHM.equals(algorithm))
                {
                    throw new IllegalArgumentException("algorithm: must be " + PlainPasswordHash.ALGORITHM + ": " + algorithm);
                }
                users.put(entry.getKey(), new PlainPasswordHash(bytes(user, "salt"), integer(user, "iterations"), bytes(user, "hash")));
            }
            catch (final IllegalArgumentException e)
            {
                throw bad(yamlPath, file, where + "." + e.getMessage());
            }
        }
        return Map.copyOf(users);
    }

    /**
     * Reads a SCRAM credentials file.
     *
     * @param file     the file.
     * @param yamlPath the configuration key that names it, for messages.
     * @return each user's credential per mechanism.
     * @throws IllegalArgumentException if the file cannot be read or an entry is malformed.
     */
    public static Map<String, Map<SaslMechanism, ScramCredential>> readScramCredentials(final Path file, final String yamlPath)
    {
        final Map<String, Map<SaslMechanism, ScramCredential>> users = new LinkedHashMap<>();
        final Iterator<Map.Entry<String, JsonNode>> entries = usersOf(file, yamlPath);
        while (entries.hasNext())
        {
            final Map.Entry<String, JsonNode> entry = entries.next();
            final Map<SaslMechanism, ScramCredential> credentials = new EnumMap<>(SaslMechanism.class);
            final Iterator<Map.Entry<String, JsonNode>> mechanisms = entry.getValue().fields();
            while (mechanisms.hasNext())
            {
                final Map.Entry<String, JsonNode> byMechanism = mechanisms.next();
                final String where = "users." + entry.getKey() + "." + byMechanism.getKey();
                final SaslMechanism mechanism = SaslMechanism.fromName(byMechanism.getKey());
                if (mechanism == null || !mechanism.isScram())
                {
                    throw bad(yamlPath, file, where + ": not SCRAM-SHA-256 or SCRAM-SHA-512");
                }
                try
                {
                    final JsonNode credential = byMechanism.getValue();
                    final int iterations = integer(credential, "iterations");
                    final ScramMechanism scram = ScramMechanism.forMechanismName(mechanism.mechanismName());
                    if (iterations < scram.minIterations() || iterations > scram.maxIterations())
                    {
                        throw new IllegalArgumentException("iterations: between " + scram.minIterations() + " and " +
                            scram.maxIterations() + ": " + iterations);
                    }
                    credentials.put(mechanism, new ScramCredential(
                        bytes(credential, "salt"), bytes(credential, "storedKey"), bytes(credential, "serverKey"), iterations));
                }
                catch (final IllegalArgumentException e)
                {
                    throw bad(yamlPath, file, where + "." + e.getMessage());
                }
            }
            if (credentials.isEmpty())
            {
                throw bad(yamlPath, file, "users." + entry.getKey() + ": no credential");
            }
            users.put(entry.getKey(), Map.copyOf(credentials));
        }
        return Map.copyOf(users);
    }

    /**
     * Reads a JSON Web Key Set file, keeping the public keys only.
     *
     * @param file     the file.
     * @param yamlPath the configuration key that names it, for messages.
     * @return the keys.
     * @throws IllegalArgumentException if the file cannot be read, is not a JWKS or holds no key.
     */
    public static JWKSet readJwks(final Path file, final String yamlPath)
    {
        final JWKSet keys;
        try
        {
            keys = JWKSet.load(file.toFile()).toPublicJWKSet();
        }
        catch (final IOException | java.text.ParseException e)
        {
            throw bad(yamlPath, file, "cannot read: " + e.getMessage());
        }
        if (keys.isEmpty())
        {
            throw bad(yamlPath, file, "no public key");
        }
        return keys;
    }

    private static Iterator<Map.Entry<String, JsonNode>> usersOf(final Path file, final String yamlPath)
    {
        final JsonNode root;
        try
        {
            root = YAML.readTree(file.toFile());
        }
        catch (final IOException e)
        {
            throw bad(yamlPath, file, "cannot read: " + e.getMessage());
        }
        if (root == null || !root.path("users").isObject())
        {
            throw bad(yamlPath, file, "users: required, a map of user names");
        }
        return root.get("users").fields();
    }

    private static String text(final JsonNode node, final String field)
    {
        final JsonNode value = node.get(field);
        if (value == null || !value.isTextual())
        {
            throw new IllegalArgumentException(field + ": required");
        }
        return value.asText();
    }

    private static int integer(final JsonNode node, final String field)
    {
        final JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt())
        {
            throw new IllegalArgumentException(field + ": required, an integer");
        }
        return value.asInt();
    }

    private static byte[] bytes(final JsonNode node, final String field)
    {
        final String encoded = text(node, field);
        try
        {
            return Base64.getDecoder().decode(encoded);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    private static IllegalArgumentException bad(final String yamlPath, final Path file, final String problem)
    {
        return new IllegalArgumentException(yamlPath + ": " + file + ": " + problem);
    }
}
