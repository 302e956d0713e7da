package io.kafkaproxy.proxy.policy;

import io.kafkaproxy.protocol.wire.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityStageTest
{
    private static final short METADATA_VERSION = 12;
    private static final short SASL_VERSION = 1;

    private final PolicyFixtures fixtures = new PolicyFixtures("");

    @AfterEach
    void tearDown()
    {
        fixtures.close();
    }

    @Test
    void shouldTakeTheClientIdUntilTheBrokerAcceptsALogin()
    {
        // Given
        final IdentityStage identity = IdentityStage.passthrough();
        final boolean first = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing", metadata());
        final boolean sameClientId = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing", metadata());
        onRequest(identity, ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing", new SaslHandshakeRequestData().setMechanism("PLAIN"));
        onRequest(identity, ApiKeys.SASL_AUTHENTICATE, SASL_VERSION, "billing", plainLogin("alice"));
        final String beforeAnswer = identity.principal();

        // When
        final boolean accepted = onAuthenticateResponse(identity, Errors.NONE);
        final boolean laterClientId = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "other", metadata());

        // Then
        assertThat(first).isTrue();
        assertThat(sameClientId).isFalse();
        assertThat(beforeAnswer).isEqualTo("billing");
        assertThat(accepted).isTrue();
        assertThat(laterClientId).isFalse();
        assertThat(identity.principal()).isEqualTo("alice");
    }

    @Test
    void shouldTakeTheTerminatedLoginOverTheClientIdAndIgnorePassthroughSasl()
    {
        // Given
        final TerminatedSaslPrincipal terminated = new TerminatedSaslPrincipal();
        final IdentityStage identity = IdentityStage.terminatingSasl(terminated);
        final boolean clientId = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing", metadata());
        onRequest(identity, ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing", new SaslHandshakeRequestData().setMechanism("PLAIN"));
        onRequest(identity, ApiKeys.SASL_AUTHENTICATE, SASL_VERSION, "billing", plainLogin("mallory"));
        onAuthenticateResponse(identity, Errors.NONE);
        final String afterPassthroughLogin = identity.principal();

        // When
        terminated.onAuthenticated("alice");
        final boolean changed = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing", metadata());

        // Then
        assertThat(clientId).isTrue();
        assertThat(afterPassthroughLogin).isEqualTo("billing");
        assertThat(changed).isTrue();
        assertThat(identity.principal()).isEqualTo("alice");
    }

    @Test
    void shouldKeepTheClientIdWhenTheBrokerRefusesTheLogin()
    {
        // Given
        final IdentityStage identity = IdentityStage.passthrough();
        onRequest(identity, ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing", new SaslHandshakeRequestData().setMechanism("PLAIN"));
        onRequest(identity, ApiKeys.SASL_AUTHENTICATE, SASL_VERSION, "billing", plainLogin("mallory"));

        // When
        final boolean changed = onAuthenticateResponse(identity, Errors.SASL_AUTHENTICATION_FAILED);

        // Then
        assertThat(changed).isFalse();
        assertThat(identity.principal()).isEqualTo("billing");
    }

    @Test
    void shouldFollowTheClientIdWhenItChanges()
    {
        // Given
        final IdentityStage identity = IdentityStage.passthrough();
        onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing", metadata());

        // When
        final boolean changed = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "shipping", metadata());

        // Then
        assertThat(changed).isTrue();
        assertThat(identity.principal()).isEqualTo("shipping");
    }

    @Test
    void shouldLetASourceOfHigherPrecedenceDecideWithoutReadingTheOthers()
    {
        // Given: a source that knows the principal from the start, as a TLS client certificate would
        final ClientIdPrincipal clientId = new ClientIdPrincipal();
        final IdentityStage identity = new IdentityStage(() -> "CN=billing", clientId);

        // When
        final boolean changed = onRequest(identity, ApiKeys.METADATA, METADATA_VERSION, "billing-app", metadata());

        // Then
        assertThat(changed).isTrue();
        assertThat(identity.principal()).isEqualTo("CN=billing");
        assertThat(clientId.principal()).isNull();
    }

    @Test
    void shouldRejectASaslHandshakeWithANullMechanismAsMalformed()
    {
        // Given: the mechanism's length is -1, which the schema does not allow
        final IdentityStage identity = IdentityStage.passthrough();
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing", new byte[] {-1, -1});

        // When / Then
        assertMalformed(identity, frame, "field=mechanism");
    }

    @Test
    void shouldRejectATruncatedSaslHandshakeAsMalformed()
    {
        // Given: a mechanism of 20 bytes, of which the frame holds 3
        final IdentityStage identity = IdentityStage.passthrough();
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing",
            new byte[] {0, 20, 'P', 'L', 'A'});

        // When / Then
        assertMalformed(identity, frame, "field=mechanism");
    }

    @Test
    void shouldRejectAnEmptySaslHandshakeAsMalformed()
    {
        // Given
        final IdentityStage identity = IdentityStage.passthrough();
        final ByteBuf frame = PolicyFixtures.requestWithRawBody(ApiKeys.SASL_HANDSHAKE, SASL_VERSION, "billing", new byte[0]);

        // When / Then
        assertMalformed(identity, frame, "field=mechanism");
    }

    private void assertMalformed(final IdentityStage identity, final ByteBuf frame, final String field)
    {
        try
        {
            assertThatThrownBy(() -> identity.onRequest(fixtures.decode(frame)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining(field);
        }
        finally
        {
            frame.release();
        }
    }

    private boolean onRequest(
        final IdentityStage identity, final ApiKeys api, final short version, final String clientId, final ApiMessage body)
    {
        final ByteBuf frame = PolicyFixtures.request(api, version, clientId, body);
        try
        {
            return identity.onRequest(fixtures.decode(frame));
        }
        finally
        {
            frame.release();
        }
    }

    private static boolean onAuthenticateResponse(final IdentityStage identity, final Errors error)
    {
        final ByteBuf response = PolicyFixtures.response(ApiKeys.SASL_AUTHENTICATE, SASL_VERSION,
            new SaslAuthenticateResponseData().setErrorCode(error.code()).setAuthBytes(new byte[0]));
        try
        {
            return identity.onResponse(ApiKeys.SASL_AUTHENTICATE.id, response,
                PolicyFixtures.responseBodyOffset(ApiKeys.SASL_AUTHENTICATE, SASL_VERSION));
        }
        finally
        {
            response.release();
        }
    }

    private static MetadataRequestData metadata()
    {
        return new MetadataRequestData().setTopics(List.of());
    }

    private static SaslAuthenticateRequestData plainLogin(final String username)
    {
        return new SaslAuthenticateRequestData().setAuthBytes(("\0" + username + "\0secret").getBytes(StandardCharsets.UTF_8));
    }
}
