package io.kafkaproxy.proxy.policy;

/**
 * The identity a client's TLS certificate gives: the certificate subject, mapped by the listener's principal mapping
 * rules, once the handshake has completed. First in precedence: a connection that presented a certificate is that
 * certificate's principal, whatever it sends in SASL or as its client.id.
 *
 * <p>A client that presented no certificate (where one is only requested) leaves it empty, and the next source
 * decides. Confined to the connection's event loop.
 */
public final class CertificatePrincipal implements PrincipalSource
{
    private String principal;

    /**
     * The handshake completed with a client certificate.
     *
     * @param mappedName the principal its subject maps to.
     */
    public void onHandshakeCompleted(final String mappedName)
    {
        principal = mappedName;
    }

    @Override
    public String principal()
    {
        return principal;
    }
}
