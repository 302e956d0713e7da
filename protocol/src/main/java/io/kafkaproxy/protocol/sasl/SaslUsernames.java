package io.kafkaproxy.protocol.sasl;

import org.agrona.DirectBuffer;

/**
 * Reads the user name out of a client's first SASL token, so that ACLs and quotas know the principal without the
 * proxy taking part in the authentication.
 *
 * <pre>
 *  PLAIN (RFC 4616):          [authzid] NUL authcid NUL passwd
 *  SCRAM (RFC 5802, first):   gs2-header [reserved-mext ","] "n=" saslname ",r=" nonce ["," extensions]
 *                             gs2-header = "n," ["a=" saslname] ","
 * </pre>
 *
 * Both parsers accept exactly what Kafka's broker accepts (its {@code PlainSaslServer} and
 * {@code ScramMessages.ClientFirstMessage}), so the name they return is the one the broker authenticates: anything
 * else yields null. Password bytes are only scanned for the delimiter, never copied. Used once per connection; the
 * returned string is the only allocation. With SCRAM's {@code tokenauth} extension the name is a delegation token
 * id rather than a user. Stateless; safe to call from any thread.
 */
public final class SaslUsernames
{
    private static final byte NUL = 0;
    private static final byte COMMA = ',';
    private static final byte EQUALS = '=';
    private static final int NOT_MATCHED = -1;
    private static final byte[] GS2_NO_CHANNEL_BINDING = {'n', ','};
    private static final byte[] AUTHZID = {'a', '='};
    private static final byte[] RESERVED_MEXT = {'m', '='};
    private static final byte[] USERNAME = {'n', '='};
    private static final byte[] NONCE = {',', 'r', '='};
    private static final byte[] SEPARATOR = {','};
    private static final byte[] ATTRIBUTE_VALUE = {'='};

    private SaslUsernames()
    {
    }

    /**
     * The authentication identity of a PLAIN token.
     *
     * @param buffer the buffer holding the token.
     * @param offset the offset of the token.
     * @param length the token length.
     * @return authcid, or null unless the token is three NUL-separated parts with a non-empty authcid and passwd,
     *         and an authzid that is empty or equal to authcid.
     */
    public static String plainUsername(final DirectBuffer buffer, final int offset, final int length)
    {
        final int limit = offset + length;
        int firstNul = NOT_MATCHED;
        int secondNul = NOT_MATCHED;
        for (int i = offset; i < limit; i++)
        {
            if (buffer.getByte(i) == NUL)
            {
                if (firstNul == NOT_MATCHED)
                {
                    firstNul = i;
                }
                else if (secondNul == NOT_MATCHED)
                {
                    secondNul = i;
                }
                else
                {
                    return null;
                }
            }
        }
        final int authcidLength = secondNul - firstNul - 1;
        if (secondNul == NOT_MATCHED || authcidLength == 0 || secondNul == limit - 1)
        {
            return null;
        }
        final int authzidLength = firstNul - offset;
        if (authzidLength > 0 && (authzidLength != authcidLength || !sameBytes(buffer, offset, firstNul + 1, authcidLength)))
        {
            // Kafka refuses to act for anyone but the authenticated user.
            return null;
        }
        return buffer.getStringWithoutLengthUtf8(firstNul + 1, authcidLength);
    }

    /**
     * The user name of a SCRAM client-first-message, with {@code =2C} and {@code =3D} unescaped.
     *
     * @param buffer the buffer holding the token.
     * @param offset the offset of the token.
     * @param length the token length.
     * @return the user name, or null if the token is not a client-first-message Kafka accepts (a client-final
     *         message {@code c=...,r=...,p=...}, a channel-binding flag other than {@code n}, non-ASCII bytes).
     */
    public static String scramUsername(final DirectBuffer buffer, final int offset, final int length)
    {
        final int limit = offset + length;
        int position = expect(buffer, offset, limit, GS2_NO_CHANNEL_BINDING);
        if (position == NOT_MATCHED)
        {
            return null;
        }
        if (expect(buffer, position, limit, AUTHZID) != NOT_MATCHED)
        {
            position = skipSaslName(buffer, position + 2, limit);
        }
        position = expect(buffer, position, limit, SEPARATOR);
        if (expect(buffer, position, limit, RESERVED_MEXT) != NOT_MATCHED)
        {
            position = expect(buffer, skipValue(buffer, position + 2, limit), limit, SEPARATOR);
        }
        final int nameOffset = expect(buffer, position, limit, USERNAME);
        final int nameEnd = skipSaslName(buffer, nameOffset, limit);
        position = expect(buffer, nameEnd, limit, NONCE);
        position = skipNonce(buffer, position, limit);
        while (position != NOT_MATCHED && position < limit)
        {
            position = expect(buffer, position, limit, SEPARATOR);
            position = expect(buffer, skipAlpha(buffer, position, limit), limit, ATTRIBUTE_VALUE);
            position = skipValue(buffer, position, limit);
        }
        return position == NOT_MATCHED ? null : unescape(buffer, nameOffset, nameEnd);
    }

    private static boolean sameBytes(final DirectBuffer buffer, final int first, final int second, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(first + i) != buffer.getByte(second + i))
            {
                return false;
            }
        }
        return true;
    }

    private static int expect(final DirectBuffer buffer, final int position, final int limit, final byte[] literal)
    {
        if (position == NOT_MATCHED || position + literal.length > limit)
        {
            return NOT_MATCHED;
        }
        for (int i = 0; i < literal.length; i++)
        {
            if (buffer.getByte(position + i) != literal[i])
            {
                return NOT_MATCHED;
            }
        }
        return position + literal.length;
    }

    /** saslname: one or more of ASCII 0x01-0x7F but ',' and '=', or the escapes "=2C" and "=3D". */
    private static int skipSaslName(final DirectBuffer buffer, final int start, final int limit)
    {
        return skipRun(buffer, start, limit, 0x01, 0x7F, true);
    }

    /** value: one or more of ASCII 0x01-0x7F but ','. */
    private static int skipValue(final DirectBuffer buffer, final int start, final int limit)
    {
        return skipRun(buffer, start, limit, 0x01, 0x7F, false);
    }

    /** nonce: one or more printable ASCII characters (0x21-0x7E) but ','. */
    private static int skipNonce(final DirectBuffer buffer, final int start, final int limit)
    {
        return skipRun(buffer, start, limit, 0x21, 0x7E, false);
    }

    /**
     * Skips a run of bytes in [lowest, highest] up to a ',' or the limit; with escapes, '=' must start "=2C" or
     * "=3D". Returns where the run ends, or NOT_MATCHED if it is empty or holds a byte it may not.
     */
    private static int skipRun(
        final DirectBuffer buffer, final int start, final int limit, final int lowest, final int highest, final boolean escapes)
    {
        if (start == NOT_MATCHED)
        {
            return NOT_MATCHED;
        }
        int position = start;
        while (position < limit)
        {
            final int b = buffer.getByte(position);
            if (b == COMMA)
            {
                break;
            }
            if (escapes && b == EQUALS)
            {
                if (escapeAt(buffer, position, limit) == NUL)
                {
                    return NOT_MATCHED;
                }
                position += 3;
            }
            else if (b >= lowest && b <= highest)
            {
                position++;
            }
            else
            {
                return NOT_MATCHED;
            }
        }
        return position > start ? position : NOT_MATCHED;
    }

    private static int skipAlpha(final DirectBuffer buffer, final int start, final int limit)
    {
        if (start == NOT_MATCHED)
        {
            return NOT_MATCHED;
        }
        int position = start;
        while (position < limit)
        {
            final int b = buffer.getByte(position);
            if ((b < 'A' || b > 'Z') && (b < 'a' || b > 'z'))
            {
                break;
            }
            position++;
        }
        return position > start ? position : NOT_MATCHED;
    }

    /** The character an escape at {@code position} stands for, or NUL if it is not "=2C" or "=3D". */
    private static byte escapeAt(final DirectBuffer buffer, final int position, final int limit)
    {
        if (position + 3 > limit)
        {
            return NUL;
        }
        final byte first = buffer.getByte(position + 1);
        final byte second = buffer.getByte(position + 2);
        if (first == '2' && second == 'C')
        {
            return COMMA;
        }
        return first == '3' && second == 'D' ? EQUALS : NUL;
    }

    private static String unescape(final DirectBuffer buffer, final int offset, final int end)
    {
        final char[] chars = new char[end - offset];
        int count = 0;
        for (int position = offset; position < end; count++)
        {
            final byte b = buffer.getByte(position);
            if (b == EQUALS)
            {
                chars[count] = (char)escapeAt(buffer, position, end);
                position += 3;
            }
            else
            {
                chars[count] = (char)b;
                position++;
            }
        }
        return new String(chars, 0, count);
    }
}
