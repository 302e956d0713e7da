package io.kafkaproxy.proxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A block of IP addresses written as {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address
 * ({@code 192.168.1.7}, the same as {@code /32}). Immutable.
 */
public final class CidrBlock
{
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefixLength;

    private CidrBlock(final byte[] network, final int prefixLength)
    {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Reads a block. Only literal addresses are accepted: nothing is ever looked up in DNS.
     *
     * @param text the block, {@code address/prefixLength} or an address alone.
     * @return the block.
     * @throws IllegalArgumentException if the text is not a block, or has bits set after the prefix.
     */
    public static CidrBlock parse(final String text)
    {
        final String trimmed = text.trim();
        final int slash = trimmed.indexOf('/');
        final String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        final byte[] network = literal(addressText, text);
        final int bits = network.length * Byte.SIZE;
        final int prefixLength;
        try
        {
            prefixLength = slash < 0 ? bits : Integer.parseInt(trimmed.substring(slash + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(expected(text), e);
        }
        if (prefixLength < 0 || prefixLength > bits)
        {
            throw new IllegalArgumentException("prefix length must be from 0 to " + bits + ", got '" + text + "'");
        }
        for (int bit = prefixLength; bit < bits; bit++)
        {
            if (bitAt(network, bit))
            {
                throw new IllegalArgumentException("address has bits set after the /" + prefixLength + " prefix: '" + text + "'");
            }
        }
        return new CidrBlock(network, prefixLength);
    }

    private static byte[] literal(final String address, final String text)
    {
        final Matcher ipv4 = IPV4.matcher(address);
        if (ipv4.matches())
        {
            final byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                final int octet = Integer.parseInt(ipv4.group(i + 1));
                if (octet > 255)
                {
                    throw new IllegalArgumentException(expected(text));
                }
                bytes[i] = (byte)octet;
            }
            return bytes;
        }
        if (IPV6.matcher(address).matches())
        {
            try
            {
                // Brackets make the JDK treat the text as an IPv6 literal and fail rather than try a name lookup.
                final byte[] bytes = InetAddress.getByName("[" + address + "]").getAddress();
                if (bytes.length == 16)
                {
                    return bytes;
                }
            }
            catch (final UnknownHostException e)
            {
                throw new IllegalArgumentException(expected(text), e);
            }
        }
        throw new IllegalArgumentException(expected(text));
    }

    private static String expected(final String text)
    {
        return "expected an address or a block such as 10.0.0.0/8, got '" + text + "'";
    }

    private static boolean bitAt(final byte[] bytes, final int bit)
    {
        return (bytes[bit >>> 3] & (0x80 >>> (bit & 7))) != 0;
    }

    /**
     * Whether an address is in the block. An IPv4 address is never in an IPv6 block, nor the reverse.
     *
     * @param address the address.
     * @return true if the address's first prefix-length bits are the block's.
     */
    public boolean contains(final InetAddress address)
    {
        // A connection whose address is unknown (not an IP socket) is in no block.
        return address != null && contains(address.getAddress());
    }

    /**
     * Whether an address, as its 4 or 16 bytes, is in the block.
     *
     * @param address the address bytes, network order.
     * @return true if the address's first prefix-length bits are the block's.
     */
    public boolean contains(final byte[] address)
    {
        if (address.length != network.length)
        {
            return false;
        }
        final int wholeBytes = prefixLength >>> 3;
        for (int i = 0; i < wholeBytes; i++)
        {
            if (address[i] != network[i])
            {
                return false;
            }
        }
        final int restBits = prefixLength & 7;
        if (restBits == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (address[wholeBytes] & mask) == (network[wholeBytes] & mask);
    }

    /**
     * The prefix length.
     *
     * @return how many leading bits an address must share with the block.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CidrBlock that && prefixLength == that.prefixLength && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /**
     * The block in its usual form, which {@link #parse(String)} reads back.
     *
     * @return for example {@code 10.0.0.0/8}.
     */
    @Override
    public String toString()
    {
        try
        {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        }
        catch (final UnknownHostException e)
        {
            // Only thrown for a length other than 4 or 16, which parse never produces.
            throw new IllegalStateException(e);
        }
    }
}
