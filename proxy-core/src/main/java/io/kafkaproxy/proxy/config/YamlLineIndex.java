package io.kafkaproxy.proxy.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;

/**
 * Finds the line of a YAML path ({@code network.ioThreads}, {@code upstream.bootstrapServers[0]}) in a document,
 * so that every configuration error can point at its line even where the mapper no longer knows it.
 */
final class YamlLineIndex
{
    private final Node root;

    private YamlLineIndex(final Node root)
    {
        this.root = root;
    }

    /**
     * Indexes a document; a document that does not parse gets an empty index.
     *
     * @param yaml the document.
     * @return the index.
     */
    static YamlLineIndex of(final String yaml)
    {
        try
        {
            return new YamlLineIndex(new Yaml(new LoaderOptions()).compose(new StringReader(yaml)));
        }
        catch (final RuntimeException e)
        {
            return new YamlLineIndex(null);
        }
    }

    /**
     * The line of the deepest node along a path.
     *
     * @param path dotted keys with {@code [i]} for sequence elements.
     * @return the 1-based line, or 0 when not even the first key is found.
     */
    int lineOf(final String path)
    {
        Node node = root;
        int line = 0;
        for (final String step : path.replace("[", ".[").split("\\."))
        {
            if (step.isEmpty() || node == null)
            {
                continue;
            }
            node = child(node, step);
            if (node != null)
            {
                line = node.getStartMark().getLine() + 1;
            }
        }
        return line;
    }

    /**
     * The line of a top-level key itself, even when its value is a section.
     *
     * @param key the key.
     * @return the 1-based line, or 0 when the key is not found.
     */
    int lineOfTopLevelKey(final String key)
    {
        int line = 0;
        if (root instanceof MappingNode)
        {
            for (final NodeTuple tuple : ((MappingNode)root).getValue())
            {
                if (tuple.getKeyNode() instanceof ScalarNode && ((ScalarNode)tuple.getKeyNode()).getValue().equals(key))
                {
                    line = tuple.getKeyNode().getStartMark().getLine() + 1;
                }
            }
        }
        return line;
    }

    private static Node child(final Node node, final String step)
    {
        if (step.startsWith("[") && node instanceof SequenceNode)
        {
            final int index = Integer.parseInt(step.substring(1, step.length() - 1));
            final var elements = ((SequenceNode)node).getValue();
            return index < elements.size() ? elements.get(index) : null;
        }
        Node found = null;
        if (node instanceof MappingNode)
        {
            // The last occurrence wins, so that a duplicate key is reported where it is repeated.
            for (final NodeTuple tuple : ((MappingNode)node).getValue())
            {
                if (tuple.getKeyNode() instanceof ScalarNode && ((ScalarNode)tuple.getKeyNode()).getValue().equals(step))
                {
                    // Point at the key of a scalar, at the value of a section: both are where a reader looks.
                    found = tuple.getValueNode() instanceof ScalarNode ? tuple.getKeyNode() : tuple.getValueNode();
                }
            }
        }
        return found;
    }
}
