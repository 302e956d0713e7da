package io.kafkaproxy.proxy.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A block of IPv4 or IPv6 addresses, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a single address is a block of
 * one ({@code /32} or {@code /128}).
 *
 * <p>Immutable. Parsing never resolves a host name: only address literals are accepted.
 */
public final class CidrBlock
{
    private final byte[] network;
    private final int prefixLength;

    private CidrBlock(final byte[] network, final int prefixLength)
    {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses an address or a block.
     *
     * @param text {@code address} or {@code address/prefixLength}.
     * @return the block.
     * @throws IllegalArgumentException if the text is not an IPv4 or IPv6 literal with an optional prefix length,
     *                                  or if it sets bits past the prefix.
     */
    public static CidrBlock parse(final String text)
    {
        if (text == null || text.isEmpty())
        {
            throw new IllegalArgumentException("expected an IP address or CIDR block such as 10.0.0.0/8, got ''");
        }
        final int slash = text.indexOf('/');
        final String addressText = slash < 0 ? text : text.substring(0, slash);
        final byte[] address = addressText.indexOf(':') >= 0 ? parseIpv6(text, addressText) : parseIpv4(text, addressText);
        final int bits = address.length * 8;
        final int prefixLength = slash < 0 ? bits : parsePrefixLength(text, text.substring(slash + 1), bits);
        for (int bit = prefixLength; bit < bits; bit++)
        {
            if ((address[bit >> 3] & (0x80 >>> (bit & 7))) != 0)
            {
                final byte[] masked = address.clone();
                clearHostBits(masked, prefixLength);
                throw new IllegalArgumentException("'" + text + "' sets bits past the /" + prefixLength + " prefix; did you mean " +
                    new CidrBlock(masked, prefixLength) + "?");
            }
        }
        return new CidrBlock(address, prefixLength);
    }

    /**
     * Whether an address lies in this block. An IPv4 address is never in an IPv6 block, nor the other way round.
     * Allocates a copy of the address: for connection setup, not per request.
     *
     * @param address the address, or null.
     * @return whether it is in the block; false for null.
     */
    public boolean contains(final InetAddress address)
    {
        if (address == null)
        {
            return false;
        }
        final byte[] bytes = address.getAddress();
        if (bytes.length != network.length)
        {
            return false;
        }
        final int wholeBytes = prefixLength >> 3;
        for (int i = 0; i < wholeBytes; i++)
        {
            if (bytes[i] != network[i])
            {
                return false;
            }
        }
        final int remainingBits = prefixLength & 7;
        if (remainingBits != 0)
        {
            final int mask = (0xFF00 >>> remainingBits) & 0xFF;
            return (bytes[wholeBytes] & mask) == (network[wholeBytes] & mask);
        }
        return true;
    }

    /**
     * The prefix length.
     *
     * @return 0 to 32 for IPv4, 0 to 128 for IPv6.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CidrBlock && ((CidrBlock)other).prefixLength == prefixLength &&
            Arrays.equals(((CidrBlock)other).network, network);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /**
     * The block as {@link #parse} reads it: the address alone for a single address, else {@code address/prefix}.
     *
     * @return for example {@code 10.0.0.0/8} or {@code 192.168.1.7}.
     */
    @Override
    public String toString()
    {
        final String address;
        try
        {
            // From bytes: no lookup.
            address = InetAddress.getByAddress(network).getHostAddress();
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalStateException("an address of 4 or 16 bytes was refused: length=" + network.length, e);
        }
        return prefixLength == network.length * 8 ? address : address + "/" + prefixLength;
    }

    private static byte[] parseIpv4(final String text, final String addressText)
    {
        final byte[] address = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= addressText.length(); i++)
        {
            final char c = i < addressText.length() ? addressText.charAt(i) : '.';
            if (c >= '0' && c <= '9')
            {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255)
                {
                    throw invalid(text);
                }
            }
            else if (c == '.' && value >= 0 && part < 4)
            {
                address[part++] = (byte)value;
                value = -1;
            }
            else
            {
                throw invalid(text);
            }
        }
        if (part != 4)
        {
            throw invalid(text);
        }
        return address;
    }

    private static byte[] parseIpv6(final String text, final String addressText)
    {
        // Only hex digits, colons and dots (an embedded IPv4 tail): InetAddress then reads a literal and never asks DNS.
        for (int i = 0; i < addressText.length(); i++)
        {
            final char c = addressText.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.')
            {
                throw invalid(text);
            }
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(addressText);
        }
        catch (final UnknownHostException e)
        {
            throw invalid(text);
        }
        if (address instanceof Inet4Address)
        {
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped address; write it as IPv4: " +
                address.getHostAddress());
        }
        return address.getAddress();
    }

    private static int parsePrefixLength(final String text, final String prefixText, final int bits)
    {
        if (prefixText.isEmpty() || prefixText.length() > 3)
        {
            throw invalid(text);
        }
        int value = 0;
        for (int i = 0; i < prefixText.length(); i++)
        {
            final char c = prefixText.charAt(i);
            if (c < '0' || c > '9')
            {
                throw invalid(text);
            }
            value = value * 10 + (c - '0');
        }
        if (value > bits)
        {
            throw new IllegalArgumentException("'" + text + "': prefix length " + value + " is more than the " + bits +
                " bits of the address");
        }
        return value;
    }

    private static void clearHostBits(final byte[] address, final int prefixLength)
    {
        for (int bit = prefixLength; bit < address.length * 8; bit++)
        {
            address[bit >> 3] &= (byte)~(0x80 >>> (bit & 7));
        }
    }

    private static IllegalArgumentException invalid(final String text)
    {
        return new IllegalArgumentException("expected an IP address or CIDR block such as 10.0.0.0/8, got '" + text + "'");
    }
}
