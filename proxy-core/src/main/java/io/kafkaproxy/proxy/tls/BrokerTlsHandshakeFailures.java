package io.kafkaproxy.proxy.tls;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import javax.net.ssl.SSLException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Names why a TLS handshake with a broker failed, from a small fixed set, for the
 * {@code kafka_proxy_broker_tls_handshake_failures_total{reason}} label and the WARN line.
 *
 * <p>Stateless.
 */
public final class BrokerTlsHandshakeFailures
{
    /** The handshake took longer than the connect timeout. */
    public static final String TIMEOUT = "timeout";
    /** The broker's certificate does not chain to a trusted authority. */
    public static final String UNTRUSTED_CERTIFICATE = "untrusted_certificate";
    /** The broker's certificate has expired or is not valid yet. */
    public static final String EXPIRED_CERTIFICATE = "expired_certificate";
    /** The broker's certificate does not name the host the proxy connected to. */
    public static final String HOSTNAME_MISMATCH = "hostname_mismatch";
    /** The broker refused the handshake (a fatal alert: e.g. no or an untrusted client certificate). */
    public static final String REFUSED_BY_BROKER = "refused_by_broker";
    /** The broker closed the connection during the handshake (e.g. a plaintext listener). */
    public static final String CLOSED = "closed";
    /** Anything else: no common protocol version or cipher suite, garbage from a non-TLS port. */
    public static final String PROTOCOL = "protocol";

    private BrokerTlsHandshakeFailures()
    {
    }

    /**
     * Whether a broker connect failed in its TLS handshake rather than in TCP, or a broker channel failed in TLS
     * (with TLS 1.3 a broker refuses the proxy's client certificate only after the proxy's side of the handshake is
     * done, so the refusal arrives as the channel's exception, wrapped by the TLS handler's decoder).
     *
     * @param cause why the connect or the channel failed.
     * @return true for a TLS failure.
     */
    public static boolean isHandshakeFailure(final Throwable cause)
    {
        return cause instanceof SSLException || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }

    /**
     * Names the reason of a failed handshake.
     *
     * @param cause the handshake's failure.
     * @return one of this class's constants.
     */
    public static String reason(final Throwable cause)
    {
        if (cause instanceof SslHandshakeTimeoutException)
        {
            return TIMEOUT;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof CertificateExpiredException)
            {
                return EXPIRED_CERTIFICATE;
            }
            if (t instanceof CertPathValidatorException || t instanceof CertPathBuilderException)
            {
                return UNTRUSTED_CERTIFICATE;
            }
            if (t instanceof CertificateException && isHostnameMismatch(t.getMessage()))
            {
                return HOSTNAME_MISMATCH;
            }
        }
        final Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        final String message = String.valueOf(tls.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("fatal alert") || message.contains("alert_"))
        {
            return REFUSED_BY_BROKER;
        }
        if (message.contains("closed"))
        {
            return CLOSED;
        }
        return PROTOCOL;
    }

    private static boolean isHostnameMismatch(final String message)
    {
        // The JDK's HostnameChecker words: "No subject alternative DNS name matching x found.", "No name matching x
        // found", "No subject alternative names present".
        return message != null && (message.contains("No subject alternative") || message.contains("No name matching"));
    }
}
