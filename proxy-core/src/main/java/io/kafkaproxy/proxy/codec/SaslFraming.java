package io.kafkaproxy.proxy.codec;

/**
 * How a client connection on a listener that terminates SASL is framed until its login, as a broker frames it: every
 * frame is held to {@link #MAX_RECEIVE_SIZE_BYTES} (a broker's {@code sasl.server.max.receive.size}), and after a
 * SaslHandshake v0 the frames are raw SASL tokens (a size field and the token's bytes, no request header) until the
 * exchange ends.
 *
 * <p>Shared by the connection's frame decoder (the size limit), its request header decoder (raw tokens pass without
 * a header) and its SASL termination, which moves it along. Per connection, never shared between connections.
 * Confined to the channel's event loop: a decoder reads it at each frame, and the SASL termination changes it while
 * it handles a frame or a login's outcome, so the change applies from the next frame on.
 */
public final class SaslFraming
{
    /** The largest message a client may send before its login: Kafka's {@code sasl.server.max.receive.size} default. */
    public static final int MAX_RECEIVE_SIZE_BYTES = 524_288;

    private boolean loggedIn;
    private boolean rawTokens;

    /**
     * The largest message accepted now.
     *
     * @param maxMessageSizeBytes the listener's limit.
     * @return the listener's limit once logged in; before, at most {@link #MAX_RECEIVE_SIZE_BYTES}.
     */
    public int maxMessageSizeBytes(final int maxMessageSizeBytes)
    {
        return loggedIn ? maxMessageSizeBytes : Math.min(maxMessageSizeBytes, MAX_RECEIVE_SIZE_BYTES);
    }

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
     * The client logged in: Kafka requests follow, under the listener's own size limit (a re-authentication is not
     * held to the lower one again).
     */
    public void onLoggedIn()
    {
        loggedIn = true;
        rawTokens = false;
    }
}
