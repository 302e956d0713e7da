package io.kafkaproxy.proxy.gateway.http;

import org.apache.kafka.common.header.Header;

import java.util.List;

/**
 * One record of a REST produce request, parsed: where it goes and its bytes.
 *
 * @param partition   the partition asked for, or null to let the producer's partitioner choose (by key).
 * @param key         the key's bytes, or null.
 * @param value       the value's bytes, or null.
 * @param headers     the record's headers (v3), empty in v2.
 * @param timestamp   the record's timestamp in epoch milliseconds (v3), or null for the producer's clock.
 * @param keyFormat   how the key was embedded (v3 reports it), or null when there is no key.
 * @param valueFormat how the value was embedded (v3 reports it), or null when there is no value.
 */
record RestRecord(
    Integer partition, byte[] key, byte[] value, List<Header> headers, Long timestamp, RecordFormat keyFormat, RecordFormat valueFormat)
{
    /**
     * The bytes the record weighs against quotas: key, value and headers.
     *
     * @return the size in bytes.
     */
    long sizeBytes()
    {
        long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (final Header header : headers)
        {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    @Override
    public String toString()
    {
        // Never the data: records are the client's, and logs are not.
        return "RestRecord[partition=" + partition + ", keyBytes=" + (key == null ? -1 : key.length) +
            ", valueBytes=" + (value == null ? -1 : value.length) + ", headers=" + headers.size() + "]";
    }
}
