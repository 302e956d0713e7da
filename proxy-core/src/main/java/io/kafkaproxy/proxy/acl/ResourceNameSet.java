package io.kafkaproxy.proxy.acl;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The resource names a group of rules covers: literal names, prefixes, or every name. Matches a name held as
 * UTF-8 in a buffer in place, or a name held as a {@code String}, without allocating.
 *
 * <p>Literal names sit in an open-addressing table keyed by a hash of their bytes, so a lookup costs one pass over
 * the request's name whatever the number of rules; prefixes are compared one by one, eight bytes at a time.
 *
 * <p>Immutable.
 */
final class ResourceNameSet
{
    private final boolean everyName;
    private final Set<String> literalNames;
    private final String[] prefixNames;
    private final UnsafeBuffer[] prefixBytes;
    /** Slot i holds a literal name's bytes or null; its hash is in {@link #literalHashes}. */
    private final UnsafeBuffer[] literalTable;
    private final int[] literalHashes;
    private final int literalMask;

    private ResourceNameSet(final List<CompiledAclRule> rules)
    {
        boolean every = false;
        final Set<String> literals = new HashSet<>();
        final List<CompiledAclRule> prefixes = new ArrayList<>();
        for (final CompiledAclRule rule : rules)
        {
            if (rule.everyName)
            {
                every = true;
            }
            else if (rule.prefix)
            {
                prefixes.add(rule);
            }
            else
            {
                literals.add(rule.name);
            }
        }
        everyName = every;
        literalNames = Set.copyOf(literals);
        prefixNames = new String[prefixes.size()];
        prefixBytes = new UnsafeBuffer[prefixes.size()];
        for (int i = 0; i < prefixNames.length; i++)
        {
            prefixNames[i] = prefixes.get(i).name;
            prefixBytes[i] = prefixes.get(i).nameBytes;
        }
        // At most half full, so that a miss ends at an empty slot soon.
        final int capacity = literals.isEmpty() ? 0 : Integer.highestOneBit(literals.size() * 2 - 1) << 1;
        literalTable = new UnsafeBuffer[capacity];
        literalHashes = new int[capacity];
        literalMask = capacity - 1;
        for (final CompiledAclRule rule : rules)
        {
            if (!rule.everyName && !rule.prefix)
            {
                insertLiteral(rule.nameBytes);
            }
        }
    }

    /**
     * The names a group of rules covers.
     *
     * @param rules the rules, all of one resource type.
     * @return the set.
     */
    static ResourceNameSet of(final List<CompiledAclRule> rules)
    {
        return new ResourceNameSet(rules);
    }

    /**
     * Whether the set covers every name, so that no name need be looked at.
     *
     * @return whether every name matches.
     */
    boolean matchesEveryName()
    {
        return everyName;
    }

    /**
     * Whether literal names are held, so that a lookup needs the name's {@link #hash}.
     *
     * @return whether the set has literal names.
     */
    boolean hasLiteralNames()
    {
        return literalTable.length != 0;
    }

    /**
     * Whether a name held as UTF-8 in a buffer is covered.
     *
     * @param buffer the buffer.
     * @param offset where the name's bytes start.
     * @param length how many bytes it has.
     * @param hash   the name's {@link #hash}, computed once for every set a decision consults; ignored when the set
     *               has no {@link #hasLiteralNames literal names}.
     * @return whether it matches a literal name, starts with a prefix, or the set covers every name.
     */
    boolean matches(final DirectBuffer buffer, final int offset, final int length, final int hash)
    {
        if (everyName)
        {
            return true;
        }
        if (literalTable.length != 0)
        {
            for (int slot = hash & literalMask; literalTable[slot] != null; slot = (slot + 1) & literalMask)
            {
                if (literalHashes[slot] == hash && literalTable[slot].capacity() == length &&
                    equalBytes(buffer, offset, literalTable[slot], length))
                {
                    return true;
                }
            }
        }
        for (final UnsafeBuffer prefix : prefixBytes)
        {
            final int prefixLength = prefix.capacity();
            if (prefixLength <= length && equalBytes(buffer, offset, prefix, prefixLength))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a name is covered.
     *
     * @param name the name.
     * @return whether it matches a literal name, starts with a prefix, or the set covers every name.
     */
    boolean matches(final String name)
    {
        if (everyName)
        {
            return true;
        }
        if (literalNames.contains(name))
        {
            return true;
        }
        for (final String prefix : prefixNames)
        {
            if (name.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    private void insertLiteral(final UnsafeBuffer name)
    {
        final int hash = hash(name, 0, name.capacity());
        int slot = hash & literalMask;
        while (literalTable[slot] != null)
        {
            if (literalHashes[slot] == hash && literalTable[slot].equals(name))
            {
                return;
            }
            slot = (slot + 1) & literalMask;
        }
        literalTable[slot] = name;
        literalHashes[slot] = hash;
    }

    /**
     * The hash literal names are filed under.
     *
     * @param buffer the buffer holding a name.
     * @param offset where the name's bytes start.
     * @param length how many bytes it has.
     * @return the hash.
     */
    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        // Eight bytes at a time in the platform's order: the table and the lookup run on the same machine.
        long hash = length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            hash = (hash ^ buffer.getLong(offset + i)) * 0x9E3779B97F4A7C15L;
        }
        // The tail in at most three reads rather than up to seven.
        if (i + Integer.BYTES <= length)
        {
            hash = (hash ^ buffer.getInt(offset + i)) * 0x9E3779B97F4A7C15L;
            i += Integer.BYTES;
        }
        if (i + Short.BYTES <= length)
        {
            hash = (hash ^ buffer.getShort(offset + i)) * 0x9E3779B97F4A7C15L;
            i += Short.BYTES;
        }
        if (i < length)
        {
            hash = (hash ^ buffer.getByte(offset + i)) * 0x9E3779B97F4A7C15L;
        }
        hash ^= hash >>> 33;
        hash *= 0xFF51AFD7ED558CCDL;
        hash ^= hash >>> 33;
        return (int)hash;
    }

    private static boolean equalBytes(final DirectBuffer buffer, final int offset, final DirectBuffer expected, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (buffer.getLong(offset + i) != expected.getLong(i))
            {
                return false;
            }
        }
        if (i + Integer.BYTES <= length)
        {
            if (buffer.getInt(offset + i) != expected.getInt(i))
            {
                return false;
            }
            i += Integer.BYTES;
        }
        if (i + Short.BYTES <= length)
        {
            if (buffer.getShort(offset + i) != expected.getShort(i))
            {
                return false;
            }
            i += Short.BYTES;
        }
        return i == length || buffer.getByte(offset + i) == expected.getByte(i);
    }
}
