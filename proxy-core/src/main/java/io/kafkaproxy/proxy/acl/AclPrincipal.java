package io.kafkaproxy.proxy.acl;

import java.util.Objects;

/**
 * Who a connection acts as, for the ACL: the name rules match ({@code principal:} in the file) and where the
 * name came from. Rules match the name only; the kind is for logs, and leaves room for other sources (a TLS client
 * certificate's subject) to be added without changing how rules match.
 *
 * @param kind where the name came from.
 * @param name the name rules are matched against; empty when the client sent no client id.
 */
record AclPrincipal(Kind kind, String name)
{
    /**
     * Where a principal's name came from.
     */
    public enum Kind
    {
        /** The username the client authenticated with (SASL PLAIN or SCRAM, passed through to the broker). */
        SASL_USER,
        /**
         * The {@code client.id} of the request header, when the client did not authenticate. The client chooses it:
         * rules on it guard against mistakes, not against a client that lies.
         */
        CLIENT_ID
    }

    /**
     * Checks the parts are present.
     *
     * @throws NullPointerException if either is null.
     */
    public AclPrincipal
    {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    /**
     * The principal of a connection: its SASL username once it has authenticated, else its client id.
     *
     * @param saslUsername the authenticated username, or null if the connection has not authenticated.
     * @param clientId     the client id of the request header, or null if it sent none.
     * @return the principal.
     */
    public static AclPrincipal of(final String saslUsername, final String clientId)
    {
        return saslUsername != null ?
            new AclPrincipal(Kind.SASL_USER, saslUsername) :
            new AclPrincipal(Kind.CLIENT_ID, clientId == null ? "" : clientId);
    }
}
