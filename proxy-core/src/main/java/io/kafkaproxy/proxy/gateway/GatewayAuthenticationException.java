package io.kafkaproxy.proxy.gateway;

/**
 * A gateway client's credentials were refused (or none were given where some are required). The message is for the
 * proxy's log; clients get their protocol's generic answer (HTTP 401, MQTT bad user name or password).
 */
public final class GatewayAuthenticationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A refusal.
     *
     * @param message why, for the log.
     */
    public GatewayAuthenticationException(final String message)
    {
        super(message, null, false, false);
    }
}
