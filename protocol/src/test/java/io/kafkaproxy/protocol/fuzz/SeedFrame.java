package io.kafkaproxy.protocol.fuzz;

/**
 * A valid frame, or message body, written by Kafka's generated classes, with the api key and version that say how
 * to read it.
 *
 * @param apiKey     the api key the bytes belong to.
 * @param apiVersion the version they were written at.
 * @param bytes      the bytes.
 */
public record SeedFrame(short apiKey, short apiVersion, byte[] bytes)
{
    @Override
    public String toString()
    {
        return "apiKey=" + apiKey + ", apiVersion=" + apiVersion + ", length=" + bytes.length;
    }
}
