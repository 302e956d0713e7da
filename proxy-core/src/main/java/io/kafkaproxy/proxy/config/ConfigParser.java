package io.kafkaproxy.proxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a configuration file strictly: unknown keys, duplicate keys and trailing documents are errors, and
 * every error reads {@code file:line: yaml.path: problem}.
 *
 * <p>Stateless; safe to use from any thread. Called off the event loops (startup, reload).
 */
public final class ConfigParser
{
    /** The top-level sections and the records they are read into. */
    private static final Map<String, Class<?>> SECTIONS = sections();

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .registerModule(new SimpleModule("kafka-proxy-units").addDeserializer(Duration.class, new DurationDeserializer()));

    /** A reader of each top-level section a file had, made on first use: only those sections' records are introspected. */
    private static final Map<String, ObjectReader> SECTION_READERS = new ConcurrentHashMap<>();

    /** The place of an entry of the {@code listeners} section in a mapper path. */
    private static final Pattern LISTENERS_ENTRY = Pattern.compile("listeners\\[\\d+]");
    /** The place of a rule of the {@code routing} section in a mapper path. */
    private static final Pattern ROUTING_RULE = Pattern.compile("routing\\.rules\\[\\d+]");
    /** The place of an entry of the {@code clusters} section in a mapper path. */
    private static final Pattern CLUSTERS_ENTRY = Pattern.compile("clusters\\[\\d+]");

    private ConfigParser()
    {
    }

    private static Map<String, Class<?>> sections()
    {
        final Map<String, Class<?>> sections = new LinkedHashMap<>();
        sections.put("listener", ListenerConfig.class);
        sections.put("listeners", ListenerConfig[].class);
        sections.put("upstream", BrokerClusterConfig.class);
        sections.put("network", NetworkConfig.class);
        sections.put("memory", MemoryConfig.class);
        sections.put("admin", AdminConfig.class);
        sections.put("logging", LoggingConfig.class);
        sections.put("shutdown", ShutdownConfig.class);
        sections.put("acl", AclConfig.class);
        sections.put("audit", AuditConfig.class);
        sections.put("quotas", QuotasConfig.class);
        sections.put("circuitBreaker", CircuitBreakerConfig.class);
        sections.put("mirror", MirrorConfig.class);
        sections.put("http", HttpConfig.class);
        sections.put("mqtt", MqttConfig.class);
        sections.put("gateway", GatewayConfig.class);
        sections.put("clusters", ClusterConfig[].class);
        sections.put("routing", RoutingConfig.class);
        return Collections.unmodifiableMap(sections);
    }

    private static ObjectReader sectionReader(final String name)
    {
        // The type ProxyConfig.of takes the section as (a list where check() binds an array). The reader leaves the
        // parser after the section: the next key follows, not the end of the text.
        final Class<?> type = SECTIONS.get(name);
        final JavaType javaType = type.isArray() ?
            MAPPER.getTypeFactory().constructCollectionType(List.class, type.getComponentType()) : MAPPER.constructType(type);
        return MAPPER.readerFor(javaType).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
            final ProxyConfig config = readPresentSections(yaml);
            if (config != null)
            {
                return config;
            }
        }
        catch (final IOException | RuntimeException e)
        {
            // The whole-file read below meets the same problem and reports it with the path and line it always had.
        }
        try
        {
            final ProxyConfig config = readWholeFile(yaml);
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

    /**
     * Reads a valid file section by section, binding only the sections it has: Jackson then builds the deserializers
     * of those sections' records alone, where reading the text into {@link ProxyConfig} builds, by reflection, one
     * for every record reachable from it, present in the file or not (the largest part of a start with a small file;
     * see bench/RESULTS.md, "issue 15: start-up"). Each section is read from the same parser, with the same mapper
     * and types as {@link ProxyConfig#of} declares, so the values are those the whole-file read gives.
     *
     * @param yaml the YAML text.
     * @return the configuration, or null when the text is not a mapping of known sections in one document; any
     *         other problem throws. Either way the caller reads the whole file again to report the error exactly as
     *         before.
     * @throws IOException if the text does not parse or a section does not bind.
     */
    @SuppressWarnings("unchecked")
    static ProxyConfig readPresentSections(final String yaml) throws IOException
    {
        final Map<String, Object> sections = new HashMap<>();
        try (JsonParser parser = MAPPER.createParser(yaml))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String name = parser.currentName();
                if (!SECTIONS.containsKey(name))
                {
                    return null;
                }
                // A section set to null takes its defaults, as a property set to null does in the whole-file read.
                sections.put(name, parser.nextToken() == JsonToken.VALUE_NULL ? null :
                    SECTION_READERS.computeIfAbsent(name, ConfigParser::sectionReader).readValue(parser));
            }
            if (parser.nextToken() != null)
            {
                return null;
            }
        }
        return ProxyConfig.of(
            (ListenerConfig)sections.get("listener"),
            (List<ListenerConfig>)sections.get("listeners"),
            (BrokerClusterConfig)sections.get("upstream"),
            (NetworkConfig)sections.get("network"),
            (MemoryConfig)sections.get("memory"),
            (AdminConfig)sections.get("admin"),
            (LoggingConfig)sections.get("logging"),
            (ShutdownConfig)sections.get("shutdown"),
            (AclConfig)sections.get("acl"),
            (AuditConfig)sections.get("audit"),
            (QuotasConfig)sections.get("quotas"),
            (CircuitBreakerConfig)sections.get("circuitBreaker"),
            (HttpConfig)sections.get("http"),
            (MqttConfig)sections.get("mqtt"),
            (GatewayConfig)sections.get("gateway"),
            (MirrorConfig)sections.get("mirror"),
            (List<ClusterConfig>)sections.get("clusters"),
            (RoutingConfig)sections.get("routing"));
    }

    /**
     * Reads the text into {@link ProxyConfig} in one go: what gives every error its path.
     *
     * @param yaml the YAML text.
     * @return the configuration, or null for a text without settings.
     * @throws JsonProcessingException if the text is not a valid configuration.
     */
    static ProxyConfig readWholeFile(final String yaml) throws JsonProcessingException
    {
        return MAPPER.readValue(yaml, ProxyConfig.class);
    }

    /**
     * Points an error found after parsing (a file the configuration names that does not load, found when the
     * snapshot is compiled) at its line, as {@link #check} does.
     *
     * @param yaml    the YAML text.
     * @param source  a name for the text (its file name).
     * @param message the error, {@code yaml.path: problem}.
     * @return {@code source:line: yaml.path: problem}, or {@code source: message} when the message names no path
     *         that the text holds.
     */
    public static String locate(final String yaml, final String source, final String message)
    {
        final int colon = message.indexOf(": ");
        final int line = colon > 0 && !message.substring(0, colon).contains(" ") ?
            YamlLineIndex.of(yaml).lineOf(message.substring(0, colon)) : 0;
        return line > 0 ? source + ":" + line + ": " + message : source + ": " + message;
    }

    /**
     * Checks configuration text and reports every problem found, rather than the first: each unknown key, each
     * bad value (checked key by key), then what no single key shows (a missing section, limits that do not fit
     * together).
     *
     * @param yaml   the YAML text.
     * @param source a name for the text in error messages (its file name).
     * @return the problems, each {@code source:line: yaml.path: problem}; empty if the text is a valid
     *         configuration.
     */
    public static List<String> check(final String yaml, final String source)
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(yaml);
        }
        catch (final JsonProcessingException e)
        {
            return List.of(describe(source, yaml, e, ""));
        }
        final List<String> errors = new ArrayList<>();
        if (root != null && root.isObject())
        {
            final Iterator<Map.Entry<String, JsonNode>> sections = root.fields();
            while (sections.hasNext())
            {
                final Map.Entry<String, JsonNode> section = sections.next();
                final Class<?> type = SECTIONS.get(section.getKey());
                if (type == null)
                {
                    final int line = YamlLineIndex.of(yaml).lineOfTopLevelKey(section.getKey());
                    errors.add(source + (line > 0 ? ":" + line : "") + ": " + section.getKey() + ": unknown key; known keys here: " +
                        SECTIONS.keySet());
                }
                else
                {
                    checkSection(source, yaml, section.getKey(), section.getValue(), type, errors);
                }
            }
        }
        if (errors.isEmpty())
        {
            try
            {
                parse(yaml, source);
            }
            catch (final ConfigException e)
            {
                errors.add(e.getMessage());
            }
        }
        return errors;
    }

    private static void checkSection(
        final String source, final String yaml, final String name, final JsonNode section, final Class<?> type, final List<String> errors)
    {
        final int before = errors.size();
        if (section.isObject())
        {
            // Each key alone, so that two bad values in one section are both reported; a complaint about another
            // key (one that is required) belongs to the whole-section check below.
            final Iterator<Map.Entry<String, JsonNode>> keys = section.fields();
            while (keys.hasNext())
            {
                final Map.Entry<String, JsonNode> key = keys.next();
                final String keyPath = name + "." + key.getKey();
                final String problem = bindProblem(source, yaml, name, MAPPER.createObjectNode().set(key.getKey(), key.getValue()), type);
                if (problem != null && problem.contains(": " + keyPath))
                {
                    errors.add(problem);
                }
            }
        }
        if (errors.size() == before)
        {
            final String problem = bindProblem(source, yaml, name, section, type);
            if (problem != null)
            {
                errors.add(problem);
            }
        }
    }

    private static String bindProblem(
        final String source, final String yaml, final String name, final JsonNode section, final Class<?> type)
    {
        try
        {
            MAPPER.treeToValue(section, type);
            return null;
        }
        catch (final JsonProcessingException e)
        {
            return describe(source, yaml, e, name);
        }
        catch (final IllegalArgumentException e)
        {
            return source + ": " + name + ": " + e.getMessage();
        }
    }

    private static String describe(final String source, final String yaml, final JsonProcessingException e)
    {
        return describe(source, yaml, e, "");
    }

    private static String describe(final String source, final String yaml, final JsonProcessingException e, final String pathPrefix)
    {
        final String mapperPath = e instanceof JsonMappingException ? path((JsonMappingException)e) : "";
        final String path = pathPrefix.isEmpty() ? mapperPath : mapperPath.isEmpty() ? pathPrefix :
            pathPrefix + (mapperPath.startsWith("[") ? "" : ".") + mapperPath;
        final String problem;
        final String problemPath;
        if (e instanceof ValueInstantiationException && e.getCause() instanceof SectionPathException)
        {
            // The record named paths inside its own section, which stands where the mapper read it.
            final String message = ((SectionPathException)e.getCause()).at(path);
            final int colon = message.indexOf(": ");
            problemPath = message.substring(0, colon);
            problem = message.substring(colon + 2);
        }
        else if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException)
        {
            final String message = e.getCause().getMessage();
            final int colon = message.indexOf(": ");
            if (colon > 0 && !message.substring(0, colon).contains(" "))
            {
                // The records name the YAML path of the bad value themselves, deeper than the mapper knows it; a
                // listener names the paths of the listener section, wherever it stands.
                problemPath = inListenersEntry(path, message.substring(0, colon));
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

    private static String inListenersEntry(final String mapperPath, final String recordPath)
    {
        final Matcher rule = ROUTING_RULE.matcher(mapperPath);
        if (rule.lookingAt() && !recordPath.startsWith("routing"))
        {
            return rule.group() + "." + recordPath;
        }
        if (mapperPath.startsWith("routing.listener") && recordPath.startsWith("listener"))
        {
            return "routing." + recordPath;
        }
        // A cluster entry's records name paths inside the entry, as the top-level sections of a one-cluster file.
        final Matcher cluster = CLUSTERS_ENTRY.matcher(mapperPath);
        if (cluster.lookingAt() && !recordPath.startsWith("clusters"))
        {
            final String inEntry = mapperPath.substring(cluster.end()).startsWith(".") ?
                mapperPath.substring(cluster.end() + 1) : mapperPath.substring(cluster.end());
            return cluster.group() + "." + inListenersEntry(inEntry, recordPath);
        }
        final Matcher entry = LISTENERS_ENTRY.matcher(mapperPath);
        if (entry.lookingAt() && (recordPath.equals("listener") || recordPath.startsWith("listener.")))
        {
            return entry.group() + recordPath.substring("listener".length());
        }
        return recordPath;
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
