package io.kafkaproxy.protocol.sasl;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.sasl.SaslException;

import static org.assertj.core.api.Assertions.assertThat;

class SaslUsernamesTest
{
    /** Tokens sit between bytes that would change the answer if read, to catch reads outside the region. */
    private static final int TOKEN_OFFSET = 7;
    private static final long SEED = 20240501L;
    private static final int MUTATIONS = 20_000;

    @Test
    void shouldReadTheAuthcidOfPlainTokensAsKafkaDoes()
    {
        final String[][] cases = {
            {"\0alice\0secret", "alice"},
            {"alice\0alice\0secret", "alice"},
            {"\0jos\u00e9 \u4e16\0pa\u00dfword", "jos\u00e9 \u4e16"},
            {"\0a,b=c\0pw", "a,b=c"},
            {"admin\0alice\0secret", null},
            {"alic\0alice\0secret", null},
            {"alice\0secret", null},
            {"\0\0secret", null},
            {"\0alice\0", null},
            {"\0alice\0pw\0more", null},
            {"\0a\0b\0c\0d", null},
            {"alice", null},
            {"", null}};
        for (final String[] testCase : cases)
        {
            // Given
            final byte[] token = testCase[0].getBytes(StandardCharsets.UTF_8);

            // When
            final String username = SaslUsernames.plainUsername(surrounded(token), TOKEN_OFFSET, token.length);

            // Then
            assertThat(username).as(printable(testCase[0])).isEqualTo(testCase[1]).isEqualTo(kafkaPlainUsername(token));
        }
    }

    @Test
    void shouldAgreeWithKafkaOnMutatedPlainTokens()
    {
        // Given
        final List<String> seeds = List.of("\0alice\0secret", "alice\0alice\0secret", "\0jos\u00e9\0pw", "u\0u\0p");
        final String[] alphabet = {"\0", "a", "l", "u", "p", ",", "=", "\u00e9", " ", "\u0001", "\u007f"};
        final Random random = new Random(SEED);
        int accepted = 0;

        for (int i = 0; i < MUTATIONS; i++)
        {
            final byte[] token = mutate(seeds.get(random.nextInt(seeds.size())), alphabet, random);

            // When
            final String username = SaslUsernames.plainUsername(surrounded(token), TOKEN_OFFSET, token.length);

            // Then
            assertThat(username).as(printable(new String(token, StandardCharsets.UTF_8)))
                .isEqualTo(kafkaPlainUsername(token));
            accepted += username == null ? 0 : 1;
        }
        assertThat(accepted).as("mutated tokens still accepted").isBetween(MUTATIONS / 10, MUTATIONS - MUTATIONS / 10);
    }

    @Test
    void shouldReadTheUsernameOfScramClientFirstMessagesAsKafkaDoes()
    {
        final String[][] cases = {
            {"n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL", "alice"},
            {"n,a=alice,n=alice,r=abc", "alice"},
            {"n,a=admin,n=alice,r=abc", "alice"},
            {"n,,m=ext,n=alice,r=abc", "alice"},
            {"n,,n=alice,r=abc,tokenauth=true", "alice"},
            {"n,,n=alice,r=abc,tokenauth=true,a=b=c", "alice"},
            {"n,,n=al=2Cice=3D,r=abc", "al,ice="},
            {"n,,n==3D2C,r=abc", "=2C"},
            {"n,,n=user@example.com with space,r=abc", "user@example.com with space"},
            {"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", null},
            {"y,,n=alice,r=abc", null},
            {"p=tls-unique,,n=alice,r=abc", null},
            {"n,a=,n=alice,r=abc", null},
            {"n,,n=,r=abc", null},
            {"n,,n=alice,r=", null},
            {"n,,n=alice", null},
            {"n,,n=al=41ice,r=abc", null},
            {"n,,n=alice=2,r=abc", null},
            {"n,,n=alice,r=abc,", null},
            {"n,,n=alice,r=abc,1x=2", null},
            {"n,,n=alice,r=abc,x=", null},
            {"n,,n=alice,r=a bc", null},
            {"n,,n=jos\u00e9,r=abc", null},
            {"n,,m=,n=alice,r=abc", null},
            {"n,n=alice,r=abc", null},
            {"", null}};
        for (final String[] testCase : cases)
        {
            // Given
            final byte[] token = testCase[0].getBytes(StandardCharsets.UTF_8);

            // When
            final String username = SaslUsernames.scramUsername(surrounded(token), TOKEN_OFFSET, token.length);

            // Then
            assertThat(username).as(testCase[0]).isEqualTo(testCase[1]).isEqualTo(kafkaScramUsername(token));
        }
    }

    @Test
    void shouldReadTheUsernamesKafkasScramClientWrites()
    {
        for (final String user : List.of("alice", "a,b", "a=b", "=2C", ",,==", "user@example.com", "x"))
        {
            // Given
            final byte[] token = new ClientFirstMessage(ScramFormatter.saslName(user), "rOprNGfwEbeRWgbNEkqO",
                Map.of("tokenauth", "true")).toBytes();

            // When
            final String username = SaslUsernames.scramUsername(surrounded(token), TOKEN_OFFSET, token.length);

            // Then
            assertThat(username).as(user).isEqualTo(user);
        }
    }

    @Test
    void shouldAgreeWithKafkaOnMutatedScramTokens()
    {
        // Given
        final List<String> seeds = List.of("n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL", "n,a=al=2Ce,m=x,n=al=2Ce,r=abc,ext=v",
            "c=biws,r=abc,p=dGVzdA==");
        final String[] alphabet = {",", "=", "n", "r", "a", "m", "c", "p", "2", "C", "3", "D", "x", " ", "\0",
            "\u0001", "\u007f", "\u00e9"};
        final Random random = new Random(SEED);
        int accepted = 0;

        for (int i = 0; i < MUTATIONS; i++)
        {
            final byte[] token = mutate(seeds.get(random.nextInt(seeds.size())), alphabet, random);

            // When
            final String username = SaslUsernames.scramUsername(surrounded(token), TOKEN_OFFSET, token.length);

            // Then
            assertThat(username).as(printable(new String(token, StandardCharsets.UTF_8)))
                .isEqualTo(kafkaScramUsername(token));
            accepted += username == null ? 0 : 1;
        }
        assertThat(accepted).as("mutated tokens still accepted").isBetween(MUTATIONS / 10, MUTATIONS - MUTATIONS / 10);
    }

    private static String kafkaPlainUsername(final byte[] token)
    {
        final PlainSaslServer server = new PlainSaslServer(callbacks ->
        {
            for (final Callback callback : callbacks)
            {
                if (callback instanceof PlainAuthenticateCallback)
                {
                    ((PlainAuthenticateCallback)callback).authenticated(true);
                }
                else if (!(callback instanceof NameCallback))
                {
                    throw new AssertionError("unexpected callback: " + callback);
                }
            }
        });
        try
        {
            server.evaluateResponse(token);
            return server.getAuthorizationID();
        }
        catch (final SaslAuthenticationException e)
        {
            return null;
        }
    }

    private static String kafkaScramUsername(final byte[] token)
    {
        try
        {
            return ScramFormatter.username(new ClientFirstMessage(token).saslName());
        }
        catch (final SaslException e)
        {
            return null;
        }
    }

    private static UnsafeBuffer surrounded(final byte[] token)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TOKEN_OFFSET + token.length + TOKEN_OFFSET]);
        buffer.setMemory(0, buffer.capacity(), (byte)',');
        buffer.putByte(TOKEN_OFFSET - 1, (byte)0);
        buffer.putByte(TOKEN_OFFSET + token.length, (byte)0);
        buffer.putBytes(TOKEN_OFFSET, token);
        return buffer;
    }

    /** One to three random insertions, replacements or deletions of whole characters. */
    private static byte[] mutate(final String seed, final String[] alphabet, final Random random)
    {
        final StringBuilder token = new StringBuilder(seed);
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            final int at = random.nextInt(token.length() + 1);
            final String character = alphabet[random.nextInt(alphabet.length)];
            switch (random.nextInt(3))
            {
                case 0 -> token.insert(at, character);
                case 1 -> token.replace(at, Math.min(at + 1, token.length()), character);
                default -> token.delete(at, Math.min(at + 1, token.length()));
            }
        }
        return token.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String printable(final String token)
    {
        return token.replace("\0", "\\0");
    }
}
