package io.kafkaproxy.proxy.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateRevokedException;
import java.util.Locale;

/**
 * Why a client's TLS handshake failed, as the {@code reason} label of the handshake failure counter: read from the
 * exception, whose type and message are all either provider (OpenSSL or the JDK) gives.
 */
enum TlsHandshakeFailureReason
{
    /** The client spoke plaintext (or anything but TLS) to a TLS port. */
    NOT_TLS("not_tls"),
    /** The client certificate was signed by an authority the listener does not trust. */
    UNKNOWN_CA("unknown_ca"),
    /** The client certificate is listed as revoked by a CRL of the listener's {@code crlFile}. */
    CERTIFICATE_REVOKED("certificate_revoked"),
    /** The client certificate has expired (or is not valid yet). */
    CERTIFICATE_EXPIRED("certificate_expired"),
    /** A certificate was refused for another reason, by either side (the client's alert says so). */
    BAD_CERTIFICATE("bad_certificate"),
    /** The listener requires a client certificate and the client sent none. */
    NO_CLIENT_CERTIFICATE("no_client_certificate"),
    /** No protocol version or cipher suite in common, or a malformed handshake. */
    PROTOCOL("protocol"),
    /** The handshake did not finish in time. */
    TIMEOUT("timeout"),
    /** No principal mapping rule matches the client certificate's subject. */
    PRINCIPAL_MAPPING("principal_mapping"),
    /** The client closed the connection before the handshake completed, without an alert. */
    CLOSED("closed"),
    /** Anything else. */
    OTHER("other");

    private final String label;

    TlsHandshakeFailureReason(final String label)
    {
        this.label = label;
    }

    /**
     * The metric label value.
     *
     * @return the reason's label.
     */
    String label()
    {
        return label;
    }

    /**
     * The reason of a handshake failure.
     *
     * @param failure what the handshake failed with.
     * @return the reason.
     */
    static TlsHandshakeFailureReason of(final Throwable failure)
    {
        final StringBuilder messages = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause instanceof NotSslRecordException)
            {
                return NOT_TLS;
            }
            if (cause instanceof ClosedChannelException)
            {
                // The client hung up before its ClientHello (a port probe, a health check): no alert, nothing to read.
                return CLOSED;
            }
            if (cause instanceof SslHandshakeTimeoutException)
            {
                return TIMEOUT;
            }
            if (cause instanceof CertificateRevokedException ||
                cause instanceof CertPathValidatorException validation && validation.getReason() == CertPathValidatorException.BasicReason.REVOKED)
            {
                return CERTIFICATE_REVOKED;
            }
            if (cause instanceof CertificateExpiredException)
            {
                return CERTIFICATE_EXPIRED;
            }
            if (cause.getMessage() != null)
            {
                messages.append(cause.getMessage().toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        return ofMessages(messages.toString());
    }

    private static TlsHandshakeFailureReason ofMessages(final String text)
    {
        // OpenSSL (BoringSSL) names its errors in upper case with underscores, the JDK in words; both are matched.
        if (text.contains("connection closed while ssl/tls handshake was in progress"))
        {
            return CLOSED;
        }
        // Before "pkix path": the JDK words our check's refusal "PKIX path validation failed: ... Certificate has been
        // revoked". A client's certificate_revoked alert (it refuses the proxy's certificate) stays bad_certificate.
        if (text.contains("has been revoked"))
        {
            return CERTIFICATE_REVOKED;
        }
        if (text.contains("expired"))
        {
            return CERTIFICATE_EXPIRED;
        }
        if (text.contains("peer_did_not_return_a_certificate") || text.contains("empty client certificate chain") ||
            text.contains("certificate_required") || text.contains("peer did not return a certificate"))
        {
            return NO_CLIENT_CERTIFICATE;
        }
        if (text.contains("unknown_ca") || text.contains("unknown ca") || text.contains("unable to find valid certification path") ||
            text.contains("pkix path") || text.contains("certificate_verify_failed") || text.contains("unable to get local issuer"))
        {
            return UNKNOWN_CA;
        }
        if (text.contains("bad_certificate") || text.contains("bad certificate") || text.contains("certificate_unknown") ||
            text.contains("unsupported_certificate") || text.contains("certificate_revoked"))
        {
            return BAD_CERTIFICATE;
        }
        if (text.contains("protocol") || text.contains("cipher") || text.contains("handshake_failure") ||
            text.contains("wrong_version_number") || text.contains("no appropriate"))
        {
            return PROTOCOL;
        }
        return OTHER;
    }
}
