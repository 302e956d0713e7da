package io.kafkaproxy.proxy.codec;

/**
 * How a client connection on a listener that terminates SASL is framed until its login, as a broker frames it: after
 * a SaslHandshake v0 the frames are raw SASL tokens (a size field and the token's bytes, no request header) until the
 * exchange ends.
 *
 * <p>Shared by the connection's request header decoder (raw tokens pass without a header) and its SASL termination,
 * which moves it along. Per connection, never shared between connections.
 * Confined to the channel's event loop: a decoder reads it at each frame, and the SASL termination changes it while
 * it handles a frame or a login's outcome, so the change applies from the next frame on.
 */
public final class SaslFraming
{
    private boolean rawTokens;

    /**
     * Whether the next frames are raw SASL tokens rather than Kafka requests.
     *
     * @return true between a SaslHandshake v0 and the end of its exchange.
     */
    public boolean rawTokens()
    {
        return rawTokens;
    }

    /**
     * A SaslHandshake v0 was accepted: the frames that follow are raw SASL tokens.
     */
    public void onRawTokensExpected()
    {
        rawTokens = true;
    }

    /**
     * The client logged in: Kafka requests follow.
     */
    public void onLoggedIn()
    {
        rawTokens = false;
    }
}
