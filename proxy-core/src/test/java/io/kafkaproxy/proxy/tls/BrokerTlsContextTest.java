package io.kafkaproxy.proxy.tls;

import io.kafkaproxy.proxy.config.BrokerTlsConfig;
import io.kafkaproxy.proxy.config.StoreConfig;
import io.kafkaproxy.proxy.metrics.CertificateExpiry;
import io.kafkaproxy.proxy.testing.TestCertificates;
import io.kafkaproxy.proxy.testing.TestCertificates.Issued;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerTlsContextTest
{
    private static final Issued AUTHORITY = TestCertificates.authority("ca");
    private static final Issued PROXY = TestCertificates.client(AUTHORITY, "CN=kafka-proxy");

    @TempDir
    Path dir;

    @Test
    void shouldMakeHandlersThatVerifyTheBrokerHostAndIndicateIt()
    {
        // Given
        final BrokerTlsContext context = BrokerTlsContext.compile(trusting(TestCertificates.writeTrustPem(dir.resolve("ca.pem"),
            AUTHORITY.certificate()), true, "jdk"));

        // When
        final SslHandler handler = context.newHandler(ByteBufAllocator.DEFAULT, "kafka-1.internal", 9093, 1234);

        // Then
        final SSLEngine engine = handler.engine();
        assertThat(engine.getUseClientMode()).isTrue();
        assertThat(engine.getPeerHost()).isEqualTo("kafka-1.internal");
        assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(engine.getSSLParameters().getServerNames()).hasSize(1);
        assertThat(handler.getHandshakeTimeoutMillis()).isEqualTo(1234);
    }

    @Test
    void shouldTurnHostnameVerificationOffOnlyWhenAsked()
    {
        // Given
        final BrokerTlsContext context = BrokerTlsContext.compile(trusting(TestCertificates.writeTrustPem(dir.resolve("ca.pem"),
            AUTHORITY.certificate()), false, "auto"));

        // When
        final SslHandler handler = context.newHandler(ByteBufAllocator.DEFAULT, "kafka-1.internal", 9093, 1000);

        // Then
        assertThat(handler.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
    }

    @Test
    void shouldRefuseAMissingOrBrokenTrustFileNamingItsPathAndFile() throws IOException
    {
        // Given
        final Path missing = dir.resolve("missing.pem");
        final Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(trusting(missing, true, "auto")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.trustedCertificates: no such file").hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> BrokerTlsContext.compile(trusting(garbage, true, "auto")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.trustedCertificates").hasMessageContaining(garbage.toString());
    }

    @Test
    void shouldNameTheSectionsOwnPathWhenItStandsElsewhere()
    {
        // Given
        final Path missing = dir.resolve("missing.pem");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(trusting(missing, true, "auto"), "mirror.tls"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("mirror.tls.trustedCertificates: no such file").hasMessageContaining(missing.toString())
            .hasMessageNotContaining("upstream.tls");
    }

    @Test
    void shouldRefuseAKeyWithTheWrongPasswordNamingTheFile()
    {
        // Given
        final Path key = PROXY.writeEncryptedKeyPem(dir.resolve("proxy.key"));
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, PROXY.writeCertificatePem(dir.resolve("proxy.crt")).toString(),
            key.toString(), "wrong-password", null, null, null, null, "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.privateKey").hasMessageContaining(key.toString());
    }

    @Test
    void shouldReadTheKeyPasswordFromItsFile() throws IOException
    {
        // Given
        final Path passwordFile = Files.writeString(dir.resolve("key.password"), TestCertificates.PASSWORD + "\n");
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, PROXY.writeCertificatePem(dir.resolve("proxy.crt")).toString(),
            PROXY.writeEncryptedKeyPem(dir.resolve("proxy.key")).toString(), null, passwordFile.toString(), null, null, null, "auto");

        // When
        final BrokerTlsContext context = BrokerTlsContext.compile(config);

        // Then
        assertThat(context.provider()).isNotNull();
    }

    @Test
    void shouldRefuseAnExpiredClientCertificateNamingTheFile()
    {
        // Given
        final Instant now = Instant.now();
        final Issued expired = TestCertificates.issue(AUTHORITY, "CN=old", now.minus(2, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS), List.of());
        final Path certificate = expired.writeCertificatePem(dir.resolve("old.crt"));
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, certificate.toString(),
            expired.writeEncryptedKeyPem(dir.resolve("old.key")).toString(), TestCertificates.PASSWORD, null, null, null, null, "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.certificate: certificate expired").hasMessageContaining(certificate.toString());
    }

    @Test
    void shouldRefuseAClientCertificateWhoseKeyDoesNotMatchNamingBothFiles()
    {
        // Given
        final Issued other = TestCertificates.client(AUTHORITY, "CN=other");
        final Path certificate = PROXY.writeCertificatePem(dir.resolve("proxy.crt"));
        final Path key = other.writeEncryptedKeyPem(dir.resolve("other.key"));
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, certificate.toString(), key.toString(),
            TestCertificates.PASSWORD, null, null, null, null, "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("upstream.tls.certificate: the private key does not match the certificate: file=" + certificate)
            .hasMessageContaining("keyFile=" + key);
    }

    @Test
    void shouldListTheClientCertificateAndTheTrustedAuthoritiesForTheirExpiryMetric()
    {
        // Given
        final BrokerTlsConfig config = BrokerTlsConfig.of(TestCertificates.writeTrustPem(dir.resolve("ca.pem"), AUTHORITY.certificate())
            .toString(), null, null, PROXY.writeCertificatePem(dir.resolve("proxy.crt")).toString(),
            PROXY.writeEncryptedKeyPem(dir.resolve("proxy.key")).toString(), TestCertificates.PASSWORD, null, null, null, null, "jdk");

        // When
        final BrokerTlsContext context = BrokerTlsContext.compile(config);

        // Then
        assertThat(context.certificates()).extracting(CertificateExpiry::certificate)
            .containsExactly(PROXY.certificate().getSubjectX500Principal().getName(), AUTHORITY.certificate().getSubjectX500Principal().getName());
        assertThat(context.certificates().get(0).serial()).isEqualTo(PROXY.certificate().getSerialNumber().toString(16));
    }

    @Test
    void shouldRefuseAKeyStoreWithTheWrongPasswordNamingTheFile()
    {
        // Given
        final Path store = PROXY.writeKeyStore(dir.resolve("proxy.p12"), "PKCS12");
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, null, null, null, null,
            StoreConfig.of(store, "PKCS12", "wrong-password", null), null, null, "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.keyStore: cannot load the PKCS12 store").hasMessageContaining(store.toString());
    }

    @Test
    void shouldRefuseATrustStoreThatIsNoStore() throws IOException
    {
        // Given
        final Path store = Files.writeString(dir.resolve("trust.jks"), "garbage");
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, StoreConfig.of(store, "JKS", "p", null),
            null, null, null, null, null, null, null, null, "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls.trustStore").hasMessageContaining(store.toString());
    }

    @Test
    void shouldRefuseAnUnknownCipherSuite()
    {
        // Given
        final BrokerTlsConfig config = BrokerTlsConfig.of(null, null, null, null, null, null, null, null, null,
            List.of("TLS_NO_SUCH_SUITE"), "jdk");

        // When / Then
        assertThatThrownBy(() -> BrokerTlsContext.compile(config))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("upstream.tls");
    }

    private static BrokerTlsConfig trusting(final Path authority, final boolean hostnameVerification, final String provider)
    {
        return BrokerTlsConfig.of(authority.toString(), null, hostnameVerification, null, null, null, null, null, null, null, provider);
    }
}
