package io.kafkaproxy.proxy.gateway.http;

/**
 * How a REST record's key or value is embedded in the JSON request and becomes Kafka bytes: v2's embedded formats
 * ({@code json}, {@code binary}) and v3's {@code type}s ({@code JSON}, {@code BINARY}, {@code STRING}).
 */
enum RecordFormat
{
    /** Any JSON value; the record holds its compact JSON text, UTF-8. */
    JSON,
    /** A base64 string; the record holds the decoded bytes. */
    BINARY,
    /** A string; the record holds it UTF-8. */
    STRING
}
