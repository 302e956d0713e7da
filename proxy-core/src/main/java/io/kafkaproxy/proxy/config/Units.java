package io.kafkaproxy.proxy.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the readable units the configuration accepts: {@code 64MiB}, {@code 100MB}, {@code 4096};
 * {@code 30s}, {@code 500ms}, {@code 10m}, {@code PT30S}.
 */
final class Units
{
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private Units()
    {
    }

    /**
     * Parses a byte size.
     *
     * @param text the size, with an optional unit (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB).
     * @return the number of bytes.
     * @throws IllegalArgumentException if the text is not a size.
     */
    static long parseBytes(final String text)
    {
        final Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("expected a size such as 64MiB, got '" + text + "'");
        }
        final long value = Long.parseLong(matcher.group(1));
        final String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
        final long multiplier = switch (unit)
        {
            case "B" -> 1L;
            case "KB" -> 1_000L;
            case "KIB" -> 1L << 10;
            case "MB" -> 1_000_000L;
            case "MIB" -> 1L << 20;
            case "GB" -> 1_000_000_000L;
            case "GIB" -> 1L << 30;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L << 40;
        };
        return Math.multiplyExact(value, multiplier);
    }

    /**
     * Parses a duration.
     *
     * @param text a number with a unit (ms, s, m, h, d) or an ISO-8601 duration.
     * @return the duration.
     * @throws IllegalArgumentException if the text is not a duration.
     */
    static Duration parseDuration(final String text)
    {
        final String trimmed = text.trim();
        final Matcher matcher = DURATION.matcher(trimmed);
        if (matcher.matches())
        {
            final long value = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2).toLowerCase(Locale.ROOT))
            {
                case "ms" -> Duration.ofMillis(value);
                case "s" -> Duration.ofSeconds(value);
                case "m" -> Duration.ofMinutes(value);
                case "h" -> Duration.ofHours(value);
                default -> Duration.ofDays(value);
            };
        }
        try
        {
            return Duration.parse(trimmed);
        }
        catch (final DateTimeParseException e)
        {
            throw new IllegalArgumentException("expected a duration such as 30s, got '" + text + "'", e);
        }
    }

    /**
     * Writes a byte size in the largest binary unit that divides it.
     *
     * @param bytes the size.
     * @return the text.
     */
    static String formatBytes(final long bytes)
    {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long value = bytes;
        int unit = 0;
        while (value != 0 && value % 1024 == 0 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }

    /**
     * Writes a duration in the largest unit that divides it.
     *
     * @param duration the duration.
     * @return the text.
     */
    static String formatDuration(final Duration duration)
    {
        final long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0)
        {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0)
        {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0)
        {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
