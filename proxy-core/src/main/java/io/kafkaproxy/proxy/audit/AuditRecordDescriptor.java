package io.kafkaproxy.proxy.audit;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * The layout of an audit event in the ring, after the ring's own record header (whose message type is the
 * {@link AuditDecision}). Both ends are this process, so fields are in native byte order.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   throttleMillis (long, 0 if none)            |
 *  |                                                               |
 *  +-------------------------------+---------------+---------------+
 *  |   apiKey (short, -1 if none)  | resourceType  |   operation   |  (ordinals, -1 if none)
 *  +---------------+---------------+---------------+---------------+
 *  | addressLength |                  (padding)                    |  (0, 4 or 16)
 *  +---------------+-----------------------------------------------+
 *  |                  address (16 bytes, network order)            |
 *  |                              ...                              |
 *  +-------------------------------+-------------------------------+
 *  | principalLength (-1 if null)  |   nameLength (-1 if null)     |
 *  +-------------------------------+-------------------------------+
 *  |        principal (UTF-8)      ...      name (UTF-8)         ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The name is the resource of a deny, the quota of a throttle, the reason of a rejection.
 */
final class AuditRecordDescriptor
{
    /** Offset of the throttle time in milliseconds. */
    static final int THROTTLE_MILLIS_OFFSET = 0;
    /** Offset of the request's api key. */
    static final int API_KEY_OFFSET = THROTTLE_MILLIS_OFFSET + SIZE_OF_LONG;
    /** Offset of the resource type's ordinal. */
    static final int RESOURCE_TYPE_OFFSET = API_KEY_OFFSET + SIZE_OF_SHORT;
    /** Offset of the operation's ordinal. */
    static final int OPERATION_OFFSET = RESOURCE_TYPE_OFFSET + SIZE_OF_BYTE;
    /** Offset of the address length. */
    static final int ADDRESS_LENGTH_OFFSET = OPERATION_OFFSET + SIZE_OF_BYTE;
    /** Offset of the address bytes. */
    static final int ADDRESS_OFFSET = ADDRESS_LENGTH_OFFSET + 4 * SIZE_OF_BYTE;
    /** Room for the longest address, IPv6. */
    static final int ADDRESS_CAPACITY = 16;
    /** Offset of the principal's length in bytes. */
    static final int PRINCIPAL_LENGTH_OFFSET = ADDRESS_OFFSET + ADDRESS_CAPACITY;
    /** Offset of the name's length in bytes. */
    static final int NAME_LENGTH_OFFSET = PRINCIPAL_LENGTH_OFFSET + SIZE_OF_SHORT;
    /** Offset of the principal's bytes; the name's follow them. */
    static final int STRINGS_OFFSET = NAME_LENGTH_OFFSET + SIZE_OF_SHORT;

    /** Longest principal or name kept, in bytes; longer ones are cut. */
    static final int MAX_STRING_BYTES = 1024;
    /** Length of a null principal or name. */
    static final short NULL_LENGTH = -1;
    /** An absent api key, resource type or operation. */
    static final int NONE = -1;

    private AuditRecordDescriptor()
    {
    }

    /**
     * The length of a record.
     *
     * @param principalBytes the principal's length in bytes, or {@link #NULL_LENGTH}.
     * @param nameBytes      the name's length in bytes, or {@link #NULL_LENGTH}.
     * @return the record's length.
     */
    static int length(final int principalBytes, final int nameBytes)
    {
        return STRINGS_OFFSET + Math.max(0, principalBytes) + Math.max(0, nameBytes);
    }
}
