package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.config.TlsServerConfig;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientTlsContextTest
{
    private static final TestCertificates.Issued CA = TestCertificates.authority("test-ca");
    private static final TestCertificates.Issued SERVER = TestCertificates.server(CA, "CN=kafka-proxy", "localhost");

    @TempDir
    Path dir;

    @Test
    void shouldCompileAPemCertificateAndKey()
    {
        // Given
        final TlsServerConfig config = TlsServerConfig.pem(SERVER.writeCertificatePem(dir.resolve("s.crt")), SERVER.writeKeyPem(dir.resolve("s.key")));

        // When
        final ClientTlsContext context = ClientTlsContext.compile(config, "listener.tls", "default");

        // Then
        assertThat(context.certificates()).singleElement().satisfies(certificate ->
        {
            assertThat(certificate.certificate()).isEqualTo(SERVER.subject());
            assertThat(certificate.serial()).isEqualTo(SERVER.certificate().getSerialNumber().toString(16));
            assertThat(certificate.expiryEpochSeconds()).isEqualTo(SERVER.certificate().getNotAfter().toInstant().getEpochSecond());
        });
        final SslHandler handler = context.newHandler(UnpooledByteBufAllocator.DEFAULT);
        assertThat(handler.engine().getUseClientMode()).isFalse();
        ReferenceCountUtil.release(handler.engine());
    }

    @Test
    void shouldCompileAnEncryptedKeyWithItsPasswordOrPasswordFile() throws Exception
    {
        // Given
        final Path certificate = SERVER.writeCertificatePem(dir.resolve("s.crt"));
        final Path key = SERVER.writeEncryptedKeyPem(dir.resolve("s.key"));
        final Path passwordFile = Files.writeString(dir.resolve("s.pass"), TestCertificates.PASSWORD + "\n");

        // When
        final ClientTlsContext withPassword = ClientTlsContext.compile(TlsServerConfig.of(certificate, key, TestCertificates.PASSWORD,
            null, null, null, null, null, null, null, null, null, null, null), "listener.tls", "default");
        final ClientTlsContext withFile = ClientTlsContext.compile(TlsServerConfig.of(certificate, key, null,
            passwordFile, null, null, null, null, null, null, null, null, null, null), "listener.tls", "default");

        // Then
        assertThat(withPassword.certificates()).hasSize(1);
        assertThat(withFile.certificates()).hasSize(1);
        assertThatThrownBy(() -> ClientTlsContext.compile(TlsServerConfig.pem(certificate, key), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.privateKey: the key is encrypted and no password is given")
            .hasMessageContaining(key.toString());
        assertThatThrownBy(() -> ClientTlsContext.compile(TlsServerConfig.of(certificate, key, "wrong",
            null, null, null, null, null, null, null, null, null, null, null), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.privateKey: cannot decrypt the private key");
    }

    @Test
    void shouldCompileKeyStoresAndTrustStoresOfBothTypes()
    {
        for (final String type : List.of("PKCS12", "JKS"))
        {
            // Given
            final Path keyStore = SERVER.writeKeyStore(dir.resolve("s." + type), type);
            final Path trustStore = TestCertificates.writeTrustStore(dir.resolve("t." + type), type, CA.certificate());
            final TlsServerConfig config = TlsServerConfig.of(null, null, null, null,
                new StoreConfig(keyStore, StoreConfig.Type.valueOf(type), TestCertificates.PASSWORD, null), "required", null,
                new StoreConfig(trustStore, StoreConfig.Type.valueOf(type), TestCertificates.PASSWORD, null), null, null, null, null, null, null);

            // When
            final ClientTlsContext context = ClientTlsContext.compile(config, "listener.tls", "default");

            // Then
            assertThat(context.certificates()).extracting(c -> c.certificate()).containsExactly(SERVER.subject(), CA.subject());
            assertThat(context.clientAuth()).isEqualTo(TlsServerConfig.ClientAuth.REQUIRED);
        }
    }

    @Test
    void shouldRefuseAKeyThatDoesNotMatchTheCertificate()
    {
        // Given
        final TestCertificates.Issued other = TestCertificates.server(CA, "CN=other", "localhost");
        final Path certificate = SERVER.writeCertificatePem(dir.resolve("s.crt"));
        final TlsServerConfig config = TlsServerConfig.pem(certificate, other.writeKeyPem(dir.resolve("other.key")));

        // When / Then
        assertThatThrownBy(() -> ClientTlsContext.compile(config, "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.certificate: the private key does not match the certificate: file=" + certificate);
    }

    @Test
    void shouldRefuseAnExpiredCertificate()
    {
        // Given
        final TestCertificates.Issued expired = TestCertificates.issue(CA, "CN=old", Instant.now().minus(Duration.ofDays(2)),
            Instant.now().minus(Duration.ofDays(1)), List.of("localhost"));
        final Path certificate = expired.writeCertificatePem(dir.resolve("old.crt"));
        final TlsServerConfig config = TlsServerConfig.pem(certificate, expired.writeKeyPem(dir.resolve("old.key")));

        // When / Then
        assertThatThrownBy(() -> ClientTlsContext.compile(config, "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.certificate: certificate expired: file=" + certificate);
    }

    @Test
    void shouldRefuseAMissingOrGarbledFileNamingIt() throws Exception
    {
        // Given
        final Path key = SERVER.writeKeyPem(dir.resolve("s.key"));
        final Path missing = dir.resolve("missing.crt");
        final Path garbled = Files.writeString(dir.resolve("garbled.crt"), "not a certificate");

        // When / Then
        assertThatThrownBy(() -> ClientTlsContext.compile(TlsServerConfig.pem(missing, key), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.certificate: no such file: file=" + missing);
        assertThatThrownBy(() -> ClientTlsContext.compile(TlsServerConfig.pem(garbled, key), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.certificate: ")
            .hasMessageContaining(garbled.toString());
    }

    @Test
    void shouldCompileWithCrlsInPemOrDerSeveralToAFile() throws Exception
    {
        // Given
        final TestCertificates.Issued otherCa = TestCertificates.authority("other-ca");
        final TestCertificates.Issued revoked = TestCertificates.client(CA, "CN=revoked");
        final Path trusted = TestCertificates.writeTrustPem(dir.resolve("ca.pem"), CA.certificate(), otherCa.certificate());
        final Path pem = dir.resolve("both.crl");
        Files.writeString(pem, Files.readString(CA.writeCrl(dir.resolve("ca.crl"), revoked.certificate())) +
            Files.readString(otherCa.writeCrl(dir.resolve("other.crl"))));
        final Instant now = Instant.now();
        final Path der = Files.write(dir.resolve("ca.der"), CA.crl(now, now.plus(Duration.ofDays(1)), revoked.certificate()).getEncoded());
        final TlsServerConfig base = TlsServerConfig.pem(SERVER.writeCertificatePem(dir.resolve("s.crt")), SERVER.writeKeyPem(dir.resolve("s.key")))
            .withRequiredClientCertificates(trusted);

        // When
        final ClientTlsContext fromPem = ClientTlsContext.compile(base.withCrlFile(pem), "listener.tls", "default");
        final ClientTlsContext fromDer = ClientTlsContext.compile(base.withCrlFile(der), "listener.tls", "default");

        // Then
        assertThat(TlsMaterialLoader.crls("listener.tls", pem)).hasSize(2);
        assertThat(TlsMaterialLoader.crls("listener.tls", der)).singleElement()
            .satisfies(crl -> assertThat(crl.isRevoked(revoked.certificate())).isTrue());
        for (final ClientTlsContext context : List.of(fromPem, fromDer))
        {
            final SslHandler handler = context.newHandler(UnpooledByteBufAllocator.DEFAULT);
            assertThat(handler.engine().getUseClientMode()).isFalse();
            ReferenceCountUtil.release(handler.engine());
        }
    }

    @Test
    void shouldRefuseAnExpiredCrlLikeAnExpiredCertificate()
    {
        // Given
        final Instant now = Instant.now();
        final Path crl = CA.writeCrl(dir.resolve("stale.crl"), now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        final TlsServerConfig config = TlsServerConfig.pem(SERVER.writeCertificatePem(dir.resolve("s.crt")), SERVER.writeKeyPem(dir.resolve("s.key")))
            .withRequiredClientCertificates(TestCertificates.writeTrustPem(dir.resolve("ca.pem"), CA.certificate()))
            .withCrlFile(crl);

        // When / Then
        assertThatThrownBy(() -> ClientTlsContext.compile(config, "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.crlFile: CRL expired")
            .hasMessageContaining(crl.toString())
            .hasMessageContaining("nextUpdate=");
    }

    @Test
    void shouldRefuseAMissingOrMalformedCrlFileNamingIt() throws Exception
    {
        // Given
        final Path garbled = Files.writeString(dir.resolve("garbled.crl"), "-----BEGIN X509 CRL-----\nnot base64!\n-----END X509 CRL-----\n");
        final Path missing = dir.resolve("missing.crl");
        final TlsServerConfig base = TlsServerConfig.pem(SERVER.writeCertificatePem(dir.resolve("s.crt")), SERVER.writeKeyPem(dir.resolve("s.key")))
            .withRequiredClientCertificates(TestCertificates.writeTrustPem(dir.resolve("ca.pem"), CA.certificate()));

        // When / Then
        assertThatThrownBy(() -> ClientTlsContext.compile(base.withCrlFile(garbled), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.crlFile: ")
            .hasMessageContaining(garbled.toString());
        assertThatThrownBy(() -> ClientTlsContext.compile(base.withCrlFile(missing), "listener.tls", "default"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("listener.tls.crlFile: no such file")
            .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldRefuseAnUnknownCipherSuiteWithEitherProvider()
    {
        for (final String provider : List.of("jdk", "auto"))
        {
            // Given
            final TlsServerConfig config = TlsServerConfig.of(SERVER.writeCertificatePem(dir.resolve("s.crt")),
                SERVER.writeKeyPem(dir.resolve("s.key")), null, null, null, null, null, null, null, List.of("TLS_NO_SUCH_SUITE"),
                provider, null, null, null);

            // When / Then
            assertThatThrownBy(() -> ClientTlsContext.compile(config, "listener.tls", "default"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("listener.tls: the TLS provider refuses the settings");
        }
    }

    @Test
    void shouldMapACertificateSubjectByTheRules() throws Exception
    {
        // Given
        final TestCertificates.Issued client = TestCertificates.client(CA, "CN=alice,OU=payments,O=example");
        final TlsServerConfig config = TlsServerConfig.of(SERVER.writeCertificatePem(dir.resolve("s.crt")),
            SERVER.writeKeyPem(dir.resolve("s.key")), null, null, null, null, null, null, null, null, null,
            "RULE:^.*OU=payments,CN=(.*)$/$1/U,DEFAULT", null, null);
        final ClientTlsContext context = ClientTlsContext.compile(config, "listener.tls", "default");
        final ClientTlsContext defaults = ClientTlsContext.compile(TlsServerConfig.pem(dir.resolve("s.crt"), dir.resolve("s.key")),
            "listener.tls", "default");

        // When
        final String mapped = context.principalName(client.certificate());
        final String whole = defaults.principalName(client.certificate());

        // Then
        assertThat(mapped).isEqualTo("ALICE");
        assertThat(whole).isEqualTo(client.subject()).contains("CN=alice");
    }

    @Test
    void shouldUseOpenSslWhereItLoadsUnlessTheJdkIsAskedFor()
    {
        // Given
        final Path certificate = SERVER.writeCertificatePem(dir.resolve("s.crt"));
        final Path key = SERVER.writeKeyPem(dir.resolve("s.key"));

        // When
        final ClientTlsContext auto = ClientTlsContext.compile(TlsServerConfig.pem(certificate, key), "listener.tls", "default");
        final ClientTlsContext jdk = ClientTlsContext.compile(TlsServerConfig.of(certificate, key, null, null, null, null, null, null,
            null, null, "jdk", null, null, null), "listener.tls", "default");

        // Then
        assertThat(auto.providerName()).isEqualTo(io.netty.handler.ssl.OpenSsl.isAvailable() ? "openssl" : "jdk");
        assertThat(jdk.providerName()).isEqualTo("jdk");
    }

    @Test
    void shouldTellHandshakeFailureReasons()
    {
        // When / Then
        assertThat(TlsHandshakeFailureReason.of(new io.netty.handler.ssl.NotSslRecordException("x"))).isEqualTo(TlsHandshakeFailureReason.NOT_TLS);
        assertThat(TlsHandshakeFailureReason.of(new javax.net.ssl.SSLHandshakeException("error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN")))
            .isEqualTo(TlsHandshakeFailureReason.BAD_CERTIFICATE);
        assertThat(TlsHandshakeFailureReason.of(new javax.net.ssl.SSLHandshakeException("Empty client certificate chain")))
            .isEqualTo(TlsHandshakeFailureReason.NO_CLIENT_CERTIFICATE);
        assertThat(TlsHandshakeFailureReason.of(new javax.net.ssl.SSLHandshakeException("something new"))).isEqualTo(TlsHandshakeFailureReason.OTHER);
        assertThat(TlsHandshakeFailureReason.of(new javax.net.ssl.SSLHandshakeException("PKIX path validation failed: " +
            "java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: KEY_COMPROMISE")))
            .isEqualTo(TlsHandshakeFailureReason.CERTIFICATE_REVOKED);
        // A client that connects and hangs up before its ClientHello (a port probe): Netty fails the handshake with a
        // closed-channel exception.
        assertThat(TlsHandshakeFailureReason.of(new java.nio.channels.ClosedChannelException())).isEqualTo(TlsHandshakeFailureReason.CLOSED);
    }
}
