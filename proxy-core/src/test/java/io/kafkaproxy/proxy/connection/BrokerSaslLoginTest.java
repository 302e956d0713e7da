package io.kafkaproxy.proxy.connection;

import io.kafkaproxy.proxy.cluster.BrokerLoginCredentials;
import io.kafkaproxy.proxy.config.BrokerSaslMechanism;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerSaslLoginTest
{
    private static final String USER = "kafka-proxy";
    private static final String PASSWORD = "proxy-secret";

    private final RecordingBrokerLink link = new RecordingBrokerLink();
    private final List<ByteBuf> answers = new ArrayList<>();

    @AfterEach
    void releaseEverything()
    {
        link.written.forEach(ByteBuf::release);
        answers.stream().filter(answer -> answer.refCnt() > 0).forEach(ByteBuf::release);
    }

    @Test
    void shouldLogInWithPlainAsABrokerChecksIt() throws Exception
    {
        // Given
        final FakeBroker broker = new FakeBroker(List.of("PLAIN"), new PlainSaslServer(callbacks ->
        {
            String name = null;
            for (final Callback callback : callbacks)
            {
                if (callback instanceof NameCallback)
                {
                    name = ((NameCallback)callback).getDefaultName();
                }
                else if (callback instanceof PlainAuthenticateCallback)
                {
                    final PlainAuthenticateCallback plain = (PlainAuthenticateCallback)callback;
                    plain.authenticated(USER.equals(name) && PASSWORD.equals(new String(plain.password())));
                }
            }
        }));
        final BrokerSaslLogin login = new BrokerSaslLogin(link::writeAndFlush, new BrokerLoginCredentials(BrokerSaslMechanism.PLAIN, USER, PASSWORD), "b:9093");

        // When
        final int outcome = exchange(login, broker);

        // Then
        assertThat(outcome).isEqualTo(BrokerSaslLogin.DONE);
        assertThat(broker.server.isComplete()).isTrue();
        assertThat(broker.server.getAuthorizationID()).isEqualTo(USER);
        assertThat(broker.mechanismAsked).isEqualTo("PLAIN");
        assertThat(link.flushes).isEqualTo(2);
    }

    @Test
    void shouldLogInWithScramSha512InTwoRoundsAndCheckTheBrokersSignature() throws Exception
    {
        // Given
        final FakeBroker broker = new FakeBroker(List.of("PLAIN", "SCRAM-SHA-512"), scramServer(PASSWORD));
        final BrokerSaslLogin login = new BrokerSaslLogin(link::writeAndFlush,
            new BrokerLoginCredentials(BrokerSaslMechanism.SCRAM_SHA_512, USER, PASSWORD), "b:9093");

        // When
        final int outcome = exchange(login, broker);

        // Then
        assertThat(outcome).isEqualTo(BrokerSaslLogin.DONE);
        assertThat(broker.server.isComplete()).isTrue();
        assertThat(broker.server.getAuthorizationID()).isEqualTo(USER);
        assertThat(link.written).hasSize(3);
    }

    @Test
    void shouldFailWithTheBrokersMessageWhenThePasswordIsWrong() throws Exception
    {
        // Given
        final FakeBroker broker = new FakeBroker(List.of("SCRAM-SHA-512"), scramServer("another-password"));
        final BrokerSaslLogin login = new BrokerSaslLogin(link::writeAndFlush,
            new BrokerLoginCredentials(BrokerSaslMechanism.SCRAM_SHA_512, USER, PASSWORD), "b:9093");

        // When
        final int outcome = exchange(login, broker);

        // Then
        assertThat(outcome).isEqualTo(BrokerSaslLogin.FAILED);
        assertThat(login.failure()).isEqualTo(FakeBroker.INVALID_CREDENTIALS);
    }

    @Test
    void shouldFailNamingTheEnabledMechanismsWhenTheBrokerDoesNotTakeTheProxysMechanism() throws Exception
    {
        // Given
        final FakeBroker broker = new FakeBroker(List.of("PLAIN"), scramServer(PASSWORD));
        final BrokerSaslLogin login = new BrokerSaslLogin(link::writeAndFlush,
            new BrokerLoginCredentials(BrokerSaslMechanism.SCRAM_SHA_256, USER, PASSWORD), "b:9093");

        // When
        final int outcome = exchange(login, broker);

        // Then
        assertThat(outcome).isEqualTo(BrokerSaslLogin.FAILED);
        assertThat(login.failure()).contains("SCRAM-SHA-256").contains("UNSUPPORTED_SASL_MECHANISM").contains("[PLAIN]");
    }

    @Test
    void shouldFailOnAnAnswerToARequestItDidNotSend()
    {
        // Given
        final BrokerSaslLogin login = new BrokerSaslLogin(link::writeAndFlush, new BrokerLoginCredentials(BrokerSaslMechanism.PLAIN, USER, PASSWORD), "b:9093");
        login.start();
        final ByteBuf stray = answer(42, new SaslHandshakeResponseData().setErrorCode(Errors.NONE.code()), (short)1);

        // When
        final int outcome = login.onResponse(stray);

        // Then
        assertThat(outcome).isEqualTo(BrokerSaslLogin.FAILED);
        assertThat(login.failure()).contains("brokerCorrelationId=42");
        assertThat(stray.refCnt()).isZero();
    }

    private int exchange(final BrokerSaslLogin login, final FakeBroker broker) throws Exception
    {
        login.start();
        int outcome = BrokerSaslLogin.IN_PROGRESS;
        while (outcome == BrokerSaslLogin.IN_PROGRESS)
        {
            final ByteBuf request = link.written.get(link.written.size() - 1);
            final ByteBuf response = broker.answer(request.nioBuffer(4, request.readableBytes() - 4));
            answers.add(response);
            outcome = login.onResponse(response);
            assertThat(response.refCnt()).isZero();
        }
        return outcome;
    }

    private static SaslServer scramServer(final String brokersPassword) throws Exception
    {
        final ScramCredential credential = new ScramFormatter(ScramMechanism.SCRAM_SHA_512).generateCredential(brokersPassword, 4096);
        final ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        return new ScramSaslServer(mechanism, Map.of(), callbacks ->
        {
            for (final Callback callback : callbacks)
            {
                if (callback instanceof ScramCredentialCallback)
                {
                    ((ScramCredentialCallback)callback).scramCredential(credential);
                }
            }
        });
    }

    private ByteBuf answer(final int correlationId, final ApiMessage body, final short version)
    {
        final ByteBuffer bytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        final ByteBuf frame = Unpooled.buffer().writeInt(4 + bytes.remaining()).writeInt(correlationId).writeBytes(bytes);
        answers.add(frame);
        return frame;
    }

    /**
     * Answers SaslHandshake and SaslAuthenticate as a broker's {@code SaslServerAuthenticator} does.
     */
    private final class FakeBroker
    {
        static final String INVALID_CREDENTIALS = "Authentication failed during authentication due to invalid credentials";

        private final List<String> enabledMechanisms;
        private final SaslServer server;
        private String mechanismAsked;

        FakeBroker(final List<String> enabledMechanisms, final SaslServer server)
        {
            this.enabledMechanisms = enabledMechanisms;
            this.server = server;
        }

        ByteBuf answer(final ByteBuffer request)
        {
            final RequestHeader header = RequestHeader.parse(request);
            if (header.apiKey() == ApiKeys.SASL_HANDSHAKE)
            {
                mechanismAsked = new SaslHandshakeRequestData(new ByteBufferAccessor(request), header.apiVersion()).mechanism();
                final Errors error = enabledMechanisms.contains(mechanismAsked) ? Errors.NONE : Errors.UNSUPPORTED_SASL_MECHANISM;
                return BrokerSaslLoginTest.this.answer(header.correlationId(),
                    new SaslHandshakeResponseData().setErrorCode(error.code()).setMechanisms(enabledMechanisms), header.apiVersion());
            }
            assertThat(header.apiKey()).isEqualTo(ApiKeys.SASL_AUTHENTICATE);
            final byte[] token = new SaslAuthenticateRequestData(new ByteBufferAccessor(request), header.apiVersion()).authBytes();
            SaslAuthenticateResponseData response;
            try
            {
                response = new SaslAuthenticateResponseData().setErrorCode(Errors.NONE.code()).setAuthBytes(server.evaluateResponse(token));
            }
            catch (final SaslException e)
            {
                response = new SaslAuthenticateResponseData().setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                    .setErrorMessage(INVALID_CREDENTIALS);
            }
            return BrokerSaslLoginTest.this.answer(header.correlationId(), response, header.apiVersion());
        }
    }

    /**
     * What a login sends to its broker: each frame is written and flushed at once.
     */
    private static final class RecordingBrokerLink
    {
        private final List<ByteBuf> written = new ArrayList<>();
        private int flushes;

        void writeAndFlush(final ByteBuf frame)
        {
            written.add(frame);
            flushes++;
        }
    }
}
