package io.kafkaproxy.proxy.gateway.mqtt;

import io.kafkaproxy.proxy.config.GatewayAuthConfig;
import io.kafkaproxy.proxy.gateway.GatewayAuthenticator;
import io.kafkaproxy.proxy.gateway.settings.GatewayCredentials;
import io.kafkaproxy.proxy.testing.SaslCredentialFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class MqttLoginTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLetAnAnonymousClientInWhereAllowed() throws Exception
    {
        // Given
        final GatewayAuthenticator authenticator = authenticator(GatewayAuthConfig.ANONYMOUS);

        // When
        final String principal = MqttLogin.principal(authenticator, false, null, null, null, null).toCompletableFuture().get();

        // Then
        assertThat(principal).isEqualTo(GatewayAuthenticator.ANONYMOUS);
    }

    @Test
    void shouldRefuseAClientWithoutCredentialsAsNotAuthorized()
    {
        // Given
        final GatewayAuthenticator authenticator = authenticator(GatewayAuthConfig.of(null, null, false));

        // When
        final int reasonCode = reasonCode(MqttLogin.principal(authenticator, false, null, null, null, null));

        // Then
        assertThat(reasonCode).isEqualTo(MqttReplies.NOT_AUTHORIZED);
    }

    @Test
    void shouldRefuseAUserNameWithoutPasswordAsBadCredentials()
    {
        // Given
        final GatewayAuthenticator authenticator = authenticator(GatewayAuthConfig.ANONYMOUS);

        // When
        final int reasonCode = reasonCode(MqttLogin.principal(authenticator, false, "alice", null, null, null));

        // Then
        assertThat(reasonCode).isEqualTo(MqttReplies.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void shouldCheckUserNameAndPasswordAgainstTheUsersFile() throws Exception
    {
        // Given
        final Path users = SaslCredentialFixtures.writePlainUsers(dir.resolve("users.txt"), Map.of("alice", "alice-secret"));
        final GatewayAuthenticator authenticator = authenticator(GatewayAuthConfig.of(users.toString(), null, null));

        // When
        final String principal = MqttLogin.principal(authenticator, false, "alice", bytes("alice-secret"), null, null)
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        final int wrong = reasonCode(MqttLogin.principal(authenticator, false, "alice", bytes("wrong"), null, null));
        final int unknown = reasonCode(MqttLogin.principal(authenticator, false, "bob", bytes("x"), null, null));

        // Then
        assertThat(principal).isEqualTo("alice");
        assertThat(wrong).isEqualTo(MqttReplies.BAD_USER_NAME_OR_PASSWORD);
        assertThat(unknown).isEqualTo(MqttReplies.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void shouldCheckAJwtPasswordAsABearerTokenOnlyWhenTokensAreAccepted()
    {
        // Given: a token-shaped password, and no oauthbearer section behind the authenticator
        final GatewayAuthenticator authenticator = authenticator(GatewayAuthConfig.ANONYMOUS);
        final byte[] jwt = bytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln");

        // When
        final int asBearer = reasonCode(MqttLogin.principal(authenticator, true, "svc", jwt, null, null));
        final int withoutUser = reasonCode(MqttLogin.principal(authenticator, false, null, jwt, null, null));

        // Then
        assertThat(asBearer).isEqualTo(MqttReplies.BAD_USER_NAME_OR_PASSWORD);
        assertThat(withoutUser).isEqualTo(MqttReplies.BAD_USER_NAME_OR_PASSWORD);
    }

    private static GatewayAuthenticator authenticator(final GatewayAuthConfig settings)
    {
        final GatewayCredentials credentials = GatewayCredentials.load(settings, "mqtt.auth");
        return new GatewayAuthenticator(() -> credentials);
    }

    private static int reasonCode(final CompletionStage<String> login)
    {
        final Throwable failure = catchThrowable(() -> login.toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        return MqttLogin.reasonCode(failure);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
