package io.loopline.operators.features.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node with its path and line, for typed reads whose errors say where the problem is:
 * {@code spec.yaml line 14, features[2].length: '1 hour' is not a duration}.
 */
final class YamlNode {
    private final String source;
    private final String path;
    private final Node node;

    YamlNode(String source, String path, Node node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    String path() {
        return path;
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    SpecException error(String message) {
        return new SpecException(source + " line " + line() + ", " + (path.isEmpty() ? "top level" : path) + ": " + message);
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    String text() {
        if (!(node instanceof ScalarNode scalar)) {
            throw error("expected a single value, got a " + kind());
        }
        return scalar.getValue();
    }

    /** The mapping's entries in file order; duplicate keys are an error. */
    Map<String, YamlNode> entries() {
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping (key: value), got a " + kind());
        }
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            YamlNode key = new YamlNode(source, path, tuple.getKeyNode());
            String name = key.text();
            String childPath = path.isEmpty() ? name : path + "." + name;
            if (entries.put(name, new YamlNode(source, childPath, tuple.getValueNode())) != null) {
                throw key.error("key '" + name + "' appears twice");
            }
        }
        return entries;
    }

    List<YamlNode> items() {
        if (!(node instanceof SequenceNode sequence)) {
            throw error("expected a list, got a " + kind());
        }
        List<YamlNode> items = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new YamlNode(source, path + "[" + i + "]", sequence.getValue().get(i)));
        }
        return items;
    }

    private String kind() {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }

    /** Typed access to a mapping's keys; {@link #done} rejects keys nobody asked for. */
    static final class Fields {
        private final YamlNode owner;
        private final Map<String, YamlNode> entries;
        private final Set<String> read = new java.util.HashSet<>();

        Fields(YamlNode owner) {
            this.owner = owner;
            this.entries = owner.entries();
        }

        YamlNode owner() {
            return owner;
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        YamlNode node(String key) {
            read.add(key);
            YamlNode n = entries.get(key);
            if (n == null) {
                throw owner.error("missing required key '" + key + "'");
            }
            return n;
        }

        YamlNode optionalNode(String key) {
            read.add(key);
            return entries.get(key);
        }

        String string(String key) {
            return node(key).text();
        }

        String string(String key, String defaultValue) {
            YamlNode n = optionalNode(key);
            return n == null ? defaultValue : n.text();
        }

        int integer(String key, int defaultValue, int min, int max) {
            YamlNode n = optionalNode(key);
            if (n == null) {
                return defaultValue;
            }
            try {
                int value = Integer.parseInt(n.text().trim());
                if (value < min || value > max) {
                    throw n.error("must be between " + min + " and " + max + ", got " + value);
                }
                return value;
            } catch (NumberFormatException e) {
                throw n.error("'" + n.text() + "' is not an integer");
            }
        }

        boolean bool(String key, boolean defaultValue) {
            YamlNode n = optionalNode(key);
            if (n == null) {
                return defaultValue;
            }
            return switch (n.text().trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes" -> true;
                case "false", "no" -> false;
                default -> throw n.error("'" + n.text() + "' is not true or false");
            };
        }

        Duration duration(String key, Duration defaultValue) {
            YamlNode n = optionalNode(key);
            return n == null ? defaultValue : parseDuration(n);
        }

        Duration duration(String key) {
            return parseDuration(node(key));
        }

        private static Duration parseDuration(YamlNode n) {
            try {
                Duration d = SpecDurations.parse(n.text());
                if (d.isNegative()) {
                    throw n.error("must not be negative");
                }
                return d;
            } catch (IllegalArgumentException e) {
                if (e instanceof SpecException spec) {
                    throw spec;
                }
                throw n.error("'" + n.text() + "' is not a duration (examples: 500ms, 5s, 10min, 1h, 7d)");
            }
        }

        /** Fails naming the first key that no reader asked for: a typo must not be silently ignored. */
        void done() {
            for (Map.Entry<String, YamlNode> e : entries.entrySet()) {
                if (!read.contains(e.getKey())) {
                    throw e.getValue().error("unknown key '" + e.getKey() + "' (known here: " + String.join(", ", read) + ")");
                }
            }
        }
    }

    static double parseNumber(YamlNode n) {
        try {
            double value = Double.parseDouble(n.text().trim());
            if (!Double.isFinite(value)) {
                throw n.error("must be a finite number");
            }
            return value;
        } catch (NumberFormatException e) {
            throw n.error("'" + n.text() + "' is not a number");
        }
    }
}
