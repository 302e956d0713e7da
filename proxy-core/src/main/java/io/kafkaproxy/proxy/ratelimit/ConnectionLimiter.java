package io.kafkaproxy.proxy.ratelimit;

import io.kafkaproxy.proxy.config.QuotaRuleConfig;

import java.net.InetAddress;

/**
 * Connection limits: open connections and new connections per second, per client address (address rules) and per
 * principal (principal rules), from the quotas section.
 *
 * <p>A connection is admitted by address when it is accepted, and by principal once the principal is known (after
 * SASL authentication, or from the first request's client id). Each admission that returns null must be matched
 * by one release when the connection closes; a refusal needs none. The counts are kept across reloads
 * ({@link #reconfigure}): limits apply to the connections already open.
 *
 * <p>Thread-safe: every event loop admits and releases through one limiter. The counts live in concurrent maps
 * touched once per connection open and close (see {@link ConnectionCounts}); the rules are an immutable
 * {@link QuotaBook} read through a volatile reference.
 */
public final class ConnectionLimiter
{
    private final ConnectionCounts<InetAddress> addresses = new ConnectionCounts<>();
    private final ConnectionCounts<String> principals = new ConnectionCounts<>();
    private volatile QuotaBook book;

    /**
     * Creates a limiter.
     *
     * @param book the compiled quotas section.
     */
    public ConnectionLimiter(final QuotaBook book)
    {
        this.book = book;
    }

    /**
     * Applies new rules to the connections already counted and to new ones.
     *
     * @param newBook the compiled quotas section.
     */
    public void reconfigure(final QuotaBook newBook)
    {
        book = newBook;
    }

    /**
     * Admits a connection from a client address, counting it, if the first address rule holding the address allows
     * it.
     *
     * @param address  the client's address.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     * @return null if admitted (then call {@link #releaseAddress} when it closes), else why not.
     */
    public ConnectionRejection tryAcquireAddress(final InetAddress address, final long nowNanos)
    {
        final QuotaRuleConfig rule = book.addressRule(address);
        final int outcome = rule == null ?
            addresses.tryAcquire(address, 0, 0, nowNanos) :
            addresses.tryAcquire(address, rule.maxConnections(), rule.connectionsPerSecond(), nowNanos);
        return switch (outcome)
        {
            case ConnectionCounts.OVER_MAX_CONNECTIONS -> ConnectionRejection.ADDRESS_MAX_CONNECTIONS;
            case ConnectionCounts.OVER_CONNECTION_RATE -> ConnectionRejection.ADDRESS_CONNECTION_RATE;
            default -> null;
        };
    }

    /**
     * Counts a connection admitted by {@link #tryAcquireAddress} closing.
     *
     * @param address  the client's address.
     * @param nowNanos the time, a {@link System#nanoTime()} reading.
     */
    public void releaseAddress(final InetAddress address, final long nowNanos)
    {
        addresses.release(address, nowNanos);
    }

    /**
     * Admits a connection of a principal, counting it, if the first principal rule matching it allows it.
     *
     * @param principal the SASL user name, else the client id; null counts as empty.
     * @param nowNanos  the time, a {@link System#nanoTime()} reading.
     * @return null if admitted (then call {@link #releasePrincipal} when it closes), else why not.
     */
    public ConnectionRejection tryAcquirePrincipal(final String principal, final long nowNanos)
    {
        final String key = principal == null ? "" : principal;
        final QuotaRuleConfig rule = book.principalRule(key);
        final int outcome = rule == null ?
            principals.tryAcquire(key, 0, 0, nowNanos) :
            principals.tryAcquire(key, rule.maxConnections(), rule.connectionsPerSecond(), nowNanos);
        return switch (outcome)
        {
            case ConnectionCounts.OVER_MAX_CONNECTIONS -> ConnectionRejection.PRINCIPAL_MAX_CONNECTIONS;
            case ConnectionCounts.OVER_CONNECTION_RATE -> ConnectionRejection.PRINCIPAL_CONNECTION_RATE;
            default -> null;
        };
    }

    /**
     * Counts a connection admitted by {@link #tryAcquirePrincipal} closing.
     *
     * @param principal the principal it was admitted as; null counts as empty.
     * @param nowNanos  the time, a {@link System#nanoTime()} reading.
     */
    public void releasePrincipal(final String principal, final long nowNanos)
    {
        principals.release(principal == null ? "" : principal, nowNanos);
    }

    /**
     * The connections counted for a client address.
     *
     * @param address the address.
     * @return the open connections admitted and not yet released.
     */
    public int openConnections(final InetAddress address)
    {
        return addresses.open(address);
    }

    /**
     * The connections counted for a principal.
     *
     * @param principal the principal; null counts as empty.
     * @return the open connections admitted and not yet released.
     */
    public int openConnections(final String principal)
    {
        return principals.open(principal == null ? "" : principal);
    }
}
