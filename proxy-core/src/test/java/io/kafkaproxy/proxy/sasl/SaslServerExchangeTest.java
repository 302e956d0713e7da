package io.kafkaproxy.proxy.sasl;

import io.kafkaproxy.proxy.config.OAuthBearerConfig;
import io.kafkaproxy.proxy.config.SaslMechanism;
import io.kafkaproxy.proxy.config.SaslTerminationConfig;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import io.kafkaproxy.proxy.testing.TestJwtIssuer;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SaslServerExchangeTest
{
    @TempDir
    Path directory;

    private static final TestJwtIssuer ISSUER = new TestJwtIssuer();
    private SaslCredentials credentials;

    @BeforeEach
    void writeCredentials()
    {
        credentials = credentials(Duration.ofMinutes(10));
    }

    private SaslCredentials credentials(final Duration sessionLifetime)
    {
        SaslCredentialFixtures.writePlainUsers(directory.resolve("plain.yaml"), Map.of("alice", "alice-pw", "bob", "bob-pw"));
        ISSUER.writeJwks(directory.resolve("jwks.json"));
        return SaslCredentials.load(new SaslTerminationConfig(List.of(SaslMechanism.PLAIN, SaslMechanism.OAUTHBEARER),
            directory.resolve("plain.yaml"), null,
            new OAuthBearerConfig(directory.resolve("jwks.json"), TestJwtIssuer.ISSUER, TestJwtIssuer.AUDIENCE, "sub", Duration.ZERO),
            sessionLifetime, 10));
    }

    private static byte[] plain(final String user, final String password)
    {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bearer(final String token)
    {
        return ("n,,\u0001auth=Bearer " + token + "\u0001\u0001").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldLogInWithTheRightPasswordAndReportTheSessionLifetime()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        final Errors handshake = exchange.onHandshake("PLAIN");

        // When
        final SaslServerExchange.Step step = exchange.authenticate(plain("alice", "alice-pw"), System.currentTimeMillis());

        // Then
        assertThat(handshake).isEqualTo(Errors.NONE);
        assertThat(step.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(step.complete()).isTrue();
        assertThat(step.principal()).isEqualTo("alice");
        assertThat(step.sessionLifetimeMs()).isEqualTo(600_000L);
        assertThat(exchange.isExchanging()).isFalse();
    }

    @Test
    void shouldRefuseAWrongPasswordWithTheBrokersMessage()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("PLAIN");

        // When
        final SaslServerExchange.Step wrong = exchange.authenticate(plain("alice", "nope"), System.currentTimeMillis());

        // Then
        assertThat(wrong.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(wrong.errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
        assertThat(exchange.principal()).isNull();
    }

    @Test
    void shouldAnswerAMechanismNotEnabledWithUnsupportedSaslMechanism()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);

        // When
        final Errors error = exchange.onHandshake("SCRAM-SHA-512");

        // Then
        assertThat(error).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM);
        assertThat(exchange.enabledMechanisms()).containsExactly("PLAIN", "OAUTHBEARER");
        assertThat(exchange.isExchanging()).isFalse();
    }

    @Test
    void shouldReauthenticateTheSamePrincipalButRefuseAnother()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("PLAIN");
        exchange.authenticate(plain("alice", "alice-pw"), System.currentTimeMillis());
        exchange.onHandshake("PLAIN");
        final SaslServerExchange.Step again = exchange.authenticate(plain("alice", "alice-pw"), System.currentTimeMillis());
        exchange.onHandshake("PLAIN");

        // When
        final SaslServerExchange.Step other = exchange.authenticate(plain("bob", "bob-pw"), System.currentTimeMillis());

        // Then
        assertThat(again.complete()).isTrue();
        assertThat(other.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(other.errorMessage()).isEqualTo("Cannot change principals during re-authentication from User.alice: User.bob");
    }

    @Test
    void shouldRefuseAReauthenticationWithAnotherMechanismAtItsAuthenticate()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("PLAIN");
        exchange.authenticate(plain("alice", "alice-pw"), System.currentTimeMillis());
        final Errors handshake = exchange.onHandshake("OAUTHBEARER");

        // When
        final SaslServerExchange.Step step = exchange.authenticate(bearer(ISSUER.token("alice")), System.currentTimeMillis());

        // Then
        assertThat(handshake).isEqualTo(Errors.NONE);
        assertThat(step.errorMessage())
            .isEqualTo("SASL mechanism 'OAUTHBEARER' requested by client is not supported for re-authentication of mechanism 'PLAIN'");
    }

    @Test
    void shouldEndATokensSessionWithTheTokenWhenItEndsFirst()
    {
        // Given
        final long now = System.currentTimeMillis();
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("OAUTHBEARER");

        // When
        final SaslServerExchange.Step step = exchange.authenticate(bearer(ISSUER.token("carol", TestJwtIssuer.ISSUER,
            TestJwtIssuer.AUDIENCE, Instant.ofEpochMilli(now).plusSeconds(120))), now);

        // Then
        assertThat(step.complete()).isTrue();
        assertThat(step.principal()).isEqualTo("carol");
        assertThat(step.sessionLifetimeMs()).isBetween(110_000L, 120_000L);
    }

    @Test
    void shouldAnswerABadTokenWithInvalidTokenThenFailAtTheClientsAcknowledgement()
    {
        // Given
        final SaslServerExchange exchange = new SaslServerExchange(() -> credentials);
        exchange.onHandshake("OAUTHBEARER");
        final SaslServerExchange.Step challenge = exchange.authenticate(bearer(new TestJwtIssuer().token("carol")),
            System.currentTimeMillis());

        // When
        final SaslServerExchange.Step failed = exchange.authenticate(new byte[] {1}, System.currentTimeMillis());

        // Then
        assertThat(challenge.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(new String(challenge.challenge(), StandardCharsets.UTF_8)).contains("invalid_token");
        assertThat(failed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(failed.detail()).isNotBlank();
    }

    @Test
    void shouldReportNoSessionLifetimeWhenNoneIsConfigured()
    {
        // Given
        final SaslCredentials unlimited = credentials(Duration.ZERO);
        final SaslServerExchange exchange = new SaslServerExchange(() -> unlimited);
        exchange.onHandshake("OAUTHBEARER");

        // When
        final SaslServerExchange.Step step = exchange.authenticate(bearer(ISSUER.token("carol")), System.currentTimeMillis());

        // Then
        assertThat(step.complete()).isTrue();
        assertThat(step.sessionLifetimeMs()).isZero();
    }
}
