package io.kafkaproxy.protocol.wire;

import org.apache.kafka.common.message.ApiMessageType;

import java.util.Arrays;

/**
 * Which header version each api key and api version uses: the single owner of that table.
 *
 * <p>A request header is v2 (with tagged fields) from the api's first flexible version on, and v1 before it;
 * a response header is v1 and v0 respectively. ApiVersions responses always use header v0, so that a client
 * can read the error of a version the broker does not know (KIP-511). The table stores only each api's first
 * flexible version, so versions older than this build's kafka-clients still knows (Kafka 4 removed many) and
 * newer than it knows are answered correctly: versions only ever become flexible, never the reverse.
 *
 * <p>Built once from kafka-clients at class load; immutable and safe to read from any thread.
 */
public final class ApiHeaderVersions
{
    private static final short NEVER_FLEXIBLE = Short.MAX_VALUE;
    private static final short NOT_KNOWN = -1;
    private static final short[] FIRST_FLEXIBLE_VERSION;
    private static final short[] LOWEST_VERSION;
    private static final short[] HIGHEST_VERSION;
    private static final String[] API_NAMES;

    static
    {
        int maxApiKey = 0;
        for (final ApiMessageType type : ApiMessageType.values())
        {
            maxApiKey = Math.max(maxApiKey, type.apiKey());
        }
        FIRST_FLEXIBLE_VERSION = new short[maxApiKey + 1];
        LOWEST_VERSION = new short[maxApiKey + 1];
        HIGHEST_VERSION = new short[maxApiKey + 1];
        API_NAMES = new String[maxApiKey + 1];
        Arrays.fill(FIRST_FLEXIBLE_VERSION, NEVER_FLEXIBLE);
        Arrays.fill(LOWEST_VERSION, NOT_KNOWN);
        Arrays.fill(HIGHEST_VERSION, NOT_KNOWN);
        for (final ApiMessageType type : ApiMessageType.values())
        {
            final short apiKey = type.apiKey();
            API_NAMES[apiKey] = type.name;
            final short lowest = type.lowestSupportedVersion();
            final short highest = type.highestSupportedVersion(true);
            if (highest < lowest)
            {
                // Kafka 4 keeps the enum entry of removed inter-broker apis (LeaderAndIsr, ...) with no versions.
                continue;
            }
            LOWEST_VERSION[apiKey] = lowest;
            HIGHEST_VERSION[apiKey] = highest;
            for (short version = lowest; version <= highest; version++)
            {
                if (type.requestHeaderVersion(version) >= 2)
                {
                    FIRST_FLEXIBLE_VERSION[apiKey] = version;
                    break;
                }
            }
        }
    }

    private ApiHeaderVersions()
    {
    }

    /**
     * Whether this build knows the api key and at least one of its versions.
     *
     * @param apiKey the api key.
     * @return true for every api a current broker may advertise.
     */
    public static boolean isKnownApiKey(final short apiKey)
    {
        return apiKey >= 0 && apiKey < LOWEST_VERSION.length && LOWEST_VERSION[apiKey] != NOT_KNOWN;
    }

    /**
     * The lowest version of an api this build's kafka-clients can parse.
     *
     * @param apiKey a known api key.
     * @return the lowest version, or -1 if the key is unknown.
     */
    public static short lowestKnownVersion(final short apiKey)
    {
        return isKnownApiKey(apiKey) ? LOWEST_VERSION[apiKey] : NOT_KNOWN;
    }

    /**
     * The highest version of an api this build's kafka-clients can parse, unstable versions included.
     *
     * @param apiKey a known api key.
     * @return the highest version, or -1 if the key is unknown.
     */
    public static short highestKnownVersion(final short apiKey)
    {
        return isKnownApiKey(apiKey) ? HIGHEST_VERSION[apiKey] : NOT_KNOWN;
    }

    /**
     * Whether a message version uses compact encodings and tagged fields.
     *
     * @param apiKey     the api key; unknown keys are treated as never flexible.
     * @param apiVersion the message version.
     * @return true from the api's first flexible version on.
     */
    public static boolean isFlexible(final short apiKey, final short apiVersion)
    {
        return apiKey >= 0 && apiKey < FIRST_FLEXIBLE_VERSION.length && apiVersion >= FIRST_FLEXIBLE_VERSION[apiKey];
    }

    /**
     * The request header version for a request.
     *
     * @param apiKey     the api key.
     * @param apiVersion the request version.
     * @return 0, 1 or 2.
     */
    public static short requestHeaderVersion(final short apiKey, final short apiVersion)
    {
        if (isFlexible(apiKey, apiVersion))
        {
            return 2;
        }
        // ControlledShutdown v0 predates the client id; it is inter-broker only but costs nothing to get right.
        return apiKey == 7 && apiVersion == 0 ? (short)0 : (short)1;
    }

    /**
     * The response header version for the response to a request.
     *
     * @param apiKey     the api key.
     * @param apiVersion the request version.
     * @return 0 or 1.
     */
    public static short responseHeaderVersion(final short apiKey, final short apiVersion)
    {
        if (apiKey == ApiKeyIds.API_VERSIONS)
        {
            return 0;
        }
        return isFlexible(apiKey, apiVersion) ? (short)1 : (short)0;
    }

    /**
     * Kafka's name for an api, as used in metrics and logs ({@code Produce}, {@code Fetch}, ...).
     *
     * @param apiKey the api key.
     * @return the name, or {@code "Unknown"} for a key this build does not know.
     */
    public static String apiName(final short apiKey)
    {
        return apiKey >= 0 && apiKey < API_NAMES.length && API_NAMES[apiKey] != null ? API_NAMES[apiKey] : "Unknown";
    }

    /**
     * One more than the largest api key this build knows: the size of a table indexed by api key.
     *
     * @return the table size.
     */
    public static int apiKeyTableSize()
    {
        return API_NAMES.length;
    }
}
