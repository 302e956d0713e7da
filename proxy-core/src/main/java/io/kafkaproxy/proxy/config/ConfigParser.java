package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
 * every error reads {@code file:line: yaml.path: problem}.
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
        catch (final java.nio.file.NoSuchFileException e)
        {
            throw new ConfigException(file + ": no such file", e);
        }
        catch (final IOException e)
        {
            throw new ConfigException(file + ": cannot read: " + e, e);
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
        if (yaml.isBlank())
        {
            throw new ConfigException(source + ": upstream.bootstrapServers: required: the file is empty", null);
        }
        try
        {
            final ProxyConfig config = MAPPER.readValue(yaml, ProxyConfig.class);
            if (config == null)
            {
                throw new ConfigException(source + ": upstream.bootstrapServers: required: the file has no settings", null);
            }
            return config;
        }
        catch (final JsonProcessingException e)
        {
            throw new ConfigException(describe(source, yaml, e), e);
        }
    }

    private static String describe(final String source, final String yaml, final JsonProcessingException e)
    {
        final String path = e instanceof JsonMappingException ? path((JsonMappingException)e) : "";
        final String problem;
        final String problemPath;
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException)
        {
            final String message = e.getCause().getMessage();
            final int colon = message.indexOf(": ");
            if (colon > 0 && !message.substring(0, colon).contains(" "))
            {
                // The records name the YAML path of the bad value themselves, deeper than the mapper knows it.
                problemPath = message.substring(0, colon);
                problem = message.substring(colon + 2);
            }
            else
            {
                problemPath = path;
                problem = message;
            }
        }
        else if (e instanceof UnrecognizedPropertyException)
        {
            problemPath = path;
            problem = "unknown key; known keys here: " + ((UnrecognizedPropertyException)e).getKnownPropertyIds();
        }
        else if (e.getOriginalMessage().startsWith("Duplicate field"))
        {
            problemPath = path.isEmpty() ? duplicateKey(e.getOriginalMessage()) : path + "." + duplicateKey(e.getOriginalMessage());
            problem = "duplicate key";
        }
        else
        {
            problemPath = path;
            problem = e.getOriginalMessage();
        }
        final StringBuilder message = new StringBuilder(source);
        // The parser knows the line of a syntax or duplicate-key error; the index knows it for everything the
        // mapper reports after buffering a section.
        final boolean parserKnowsLine = !(e instanceof JsonMappingException) && e.getLocation() != null &&
            !problem.equals("duplicate key");
        final int line = parserKnowsLine || problemPath.isEmpty() ? 0 : YamlLineIndex.of(yaml).lineOf(problemPath);
        if (line > 0)
        {
            message.append(':').append(line);
        }
        else if (e.getLocation() != null && e.getLocation().getLineNr() > 0)
        {
            message.append(':').append(e.getLocation().getLineNr());
        }
        message.append(": ");
        if (!problemPath.isEmpty())
        {
            message.append(problemPath).append(": ");
        }
        return message.append(problem).toString();
    }

    private static String duplicateKey(final String message)
    {
        final int open = message.indexOf('\'');
        final int close = message.indexOf('\'', open + 1);
        return open >= 0 && close > open ? message.substring(open + 1, close) : "";
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
