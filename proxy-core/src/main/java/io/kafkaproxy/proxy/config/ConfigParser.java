package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Reads a configuration file strictly: unknown keys, duplicate keys and trailing documents are errors, and
 * every error names the YAML path and line of the bad value.
 *
 * <p>Stateless; safe to use from any thread. Called off the event loops (startup, reload).
 */
public final class ConfigParser
{
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .registerModule(new SimpleModule("kafka-proxy-units").addDeserializer(Duration.class, new DurationDeserializer()));

    private ConfigParser()
    {
    }

    /**
     * Reads a configuration file.
     *
     * @param file the YAML file.
     * @return the configuration.
     * @throws ConfigException if the file cannot be read or is not a valid configuration.
     */
    public static ProxyConfig parse(final Path file) throws ConfigException
    {
        final String yaml;
        try
        {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(yaml, file.toString());
    }

    /**
     * Reads configuration text.
     *
     * @param yaml   the YAML text.
     * @param source a name for the text in error messages (its file name).
     * @return the configuration.
     * @throws ConfigException if the text is not a valid configuration.
     */
    public static ProxyConfig parse(final String yaml, final String source) throws ConfigException
    {
        try
        {
            final ProxyConfig config = MAPPER.readValue(yaml, ProxyConfig.class);
            if (config == null)
            {
                throw new ConfigException(source + ": empty configuration; upstream.bootstrapServers is required", null);
            }
            return config;
        }
        catch (final JsonProcessingException e)
        {
            throw new ConfigException(source + ": " + describe(e), e);
        }
    }

    private static String describe(final JsonProcessingException e)
    {
        final StringBuilder message = new StringBuilder();
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException)
        {
            // Our records name the YAML path of the bad value themselves.
            message.append(e.getCause().getMessage());
        }
        else
        {
            final String path = e instanceof JsonMappingException ? path((JsonMappingException)e) : "";
            if (!path.isEmpty())
            {
                message.append(path).append(": ");
            }
            message.append(e.getOriginalMessage());
        }
        final JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0)
        {
            message.append(" (line ").append(location.getLineNr()).append(", column ")
                .append(location.getColumnNr()).append(')');
        }
        return message.toString();
    }

    private static String path(final JsonMappingException e)
    {
        return e.getPath().stream()
            .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration>
    {
        @Override
        public Duration deserialize(final JsonParser parser, final DeserializationContext context) throws IOException
        {
            try
            {
                return Units.parseDuration(parser.getValueAsString());
            }
            catch (final IllegalArgumentException e)
            {
                return (Duration)context.handleWeirdStringValue(Duration.class, parser.getValueAsString(), e.getMessage());
            }
        }
    }
}
