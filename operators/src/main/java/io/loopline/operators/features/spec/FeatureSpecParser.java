package io.loopline.operators.features.spec;

import io.loopline.state.schema.EventSchema;
import io.loopline.state.schema.TimeFormat;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a feature spec (YAML) into a validated {@link FeatureSpec}. Every error names the file,
 * the line and the key; unknown keys are errors, so a typo never silently changes the features.
 * The format is documented in {@code docs/feature-spec.md}.
 */
public final class FeatureSpecParser {
    private static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(30);

    private FeatureSpecParser() {}

    public static FeatureSpec parse(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
        } catch (IOException e) {
            throw new SpecException("cannot read feature spec " + file + ": " + e.getMessage());
        }
    }

    public static FeatureSpec parse(String yaml, String sourceName) {
        Node root;
        try (Reader reader = new StringReader(yaml)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
        } catch (MarkedYAMLException e) {
            throw new SpecException(sourceName + " line " + (e.getProblemMark().getLine() + 1) + ": not valid YAML: " + e.getProblem());
        } catch (IOException e) {
            throw new SpecException(sourceName + ": " + e.getMessage());
        }
        if (root == null) {
            throw new SpecException(sourceName + ": the feature spec is empty");
        }
        return new FeatureSpecParser.Reading(sourceName).spec(new YamlNode(sourceName, "", root));
    }

    private static final class Reading {
        private final String source;
        private final Map<String, String> fieldTypes = new LinkedHashMap<>();
        private final List<String> numericFields = new ArrayList<>();
        private final List<String> categoricalFields = new ArrayList<>();
        private final Set<String> optionalFields = new HashSet<>();
        private final List<WindowDefinition> windows = new ArrayList<>();
        private final List<LabelStatistic> labelStatistics = new ArrayList<>();

        Reading(String source) {
            this.source = source;
        }

        FeatureSpec spec(YamlNode root) {
            var top = new YamlNode.Fields(root);
            String name = top.string("name");
            var event = new YamlNode.Fields(top.node("event"));
            String id = event.string("id");
            String entity = event.string("entity");
            String time = event.string("time");
            YamlNode formatNode = event.optionalNode("time_format");
            TimeFormat format = formatNode == null ? TimeFormat.EPOCH_MILLIS : timeFormat(formatNode);
            String label = null;
            Map<String, Double> labelValues = new LinkedHashMap<>();
            YamlNode labelNode = event.optionalNode("label");
            if (labelNode != null && labelNode.isScalar()) {
                label = labelNode.text();
            } else if (labelNode != null) {
                var labelFields = new YamlNode.Fields(labelNode);
                label = labelFields.string("field");
                YamlNode values = labelFields.optionalNode("values");
                if (values != null) {
                    values.entries().forEach((text, number) -> labelValues.put(text, YamlNode.parseNumber(number)));
                }
                labelFields.done();
            }
            YamlNode zoneNode = event.optionalNode("time_zone");
            ZoneId zone = zoneNode == null ? ZoneId.of("UTC") : zone(zoneNode);
            event.done();

            fields(top.node("fields"));
            for (String reserved : new String[] {id, entity, time, label}) {
                if (reserved != null && fieldTypes.containsKey(reserved)) {
                    throw top.node("fields").error("field '" + reserved + "' is the event's id, entity, time or label; do not declare it again");
                }
            }
            Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
            Duration idleTtl = DEFAULT_IDLE_TTL;
            Duration idleFlush = FeatureSpec.defaultIdleFlush(outOfOrderness);
            Deduplication deduplication = Deduplication.DEFAULT;
            YamlNode stateNode = top.optionalNode("state");
            if (stateNode != null) {
                var state = new YamlNode.Fields(stateNode);
                outOfOrderness = state.duration("out_of_orderness", DEFAULT_OUT_OF_ORDERNESS);
                idleFlush = state.duration("idle_flush", FeatureSpec.defaultIdleFlush(outOfOrderness));
                idleTtl = state.duration("idle_ttl", DEFAULT_IDLE_TTL);
                if (idleTtl.isZero()) {
                    throw state.node("idle_ttl").error("must be positive");
                }
                Duration dedupWindow = state.duration("dedup_window", Deduplication.DEFAULT.window());
                int dedupMaxIds = state.integer("dedup_max_ids", Deduplication.DEFAULT.maxIdsPerEntity(), 1, 1_000_000);
                deduplication = dedupWindow.isZero() ? Deduplication.OFF : new Deduplication(dedupWindow, dedupMaxIds);
                state.done();
            }
            LabelTiming labelTiming = LabelTiming.DEFAULT;
            YamlNode labelsNode = top.optionalNode("labels");
            if (labelsNode != null) {
                var labels = new YamlNode.Fields(labelsNode);
                try {
                    labelTiming = new LabelTiming(labels.duration("arrival_delay", Duration.ZERO), labels.duration("known_after", Duration.ZERO),
                            labels.duration("max_wait", LabelTiming.DEFAULT_MAX_WAIT));
                } catch (IllegalArgumentException e) {
                    throw labelsNode.error(e.getMessage());
                }
                labels.done();
            }
            YamlNode csvNode = top.optionalNode("csv");
            CsvOptions csv = csvNode == null ? CsvOptions.NONE : csv(csvNode);
            List<FeatureDefinition> features = new ArrayList<>();
            Set<String> names = new HashSet<>();
            YamlNode featureList = top.node("features");
            for (YamlNode item : featureList.items()) {
                for (FeatureDefinition f : feature(item)) {
                    if (!names.add(f.name())) {
                        throw item.error("feature name '" + f.name() + "' is used twice");
                    }
                    features.add(f);
                }
            }
            if (features.isEmpty()) {
                throw featureList.error("declare at least one feature");
            }
            top.done();
            EventSchema schema;
            try {
                schema = new EventSchema(id, entity, time, format, numericFields, categoricalFields, optionalFields, label, labelValues);
            } catch (IllegalArgumentException e) {
                throw root.error(e.getMessage());
            }
            return new FeatureSpec(name, schema, zone, windows, features, outOfOrderness, idleTtl, csv, idleFlush, deduplication,
                    labelStatistics, labelTiming);
        }

        private CsvOptions csv(YamlNode node) {
            var f = new YamlNode.Fields(node);
            String rowId = f.string("row_id", null);
            String rowTimeField = null;
            java.time.Instant start = null;
            Duration step = null;
            YamlNode rowTime = f.optionalNode("row_time");
            if (rowTime != null) {
                var t = new YamlNode.Fields(rowTime);
                rowTimeField = t.string("field");
                try {
                    start = java.time.Instant.parse(t.string("start").trim());
                } catch (java.time.format.DateTimeParseException e) {
                    throw t.node("start").error("'" + t.string("start") + "' is not an ISO-8601 instant like 1996-05-07T00:00:00Z");
                }
                step = t.duration("step");
                t.done();
            }
            Map<String, String> constants = new LinkedHashMap<>();
            YamlNode constantsNode = f.optionalNode("constants");
            if (constantsNode != null) {
                constantsNode.entries().forEach((k, v) -> constants.put(k, v.text()));
            }
            f.done();
            return new CsvOptions(rowId, rowTimeField, start, step, constants);
        }

        private TimeFormat timeFormat(YamlNode node) {
            try {
                return TimeFormat.valueOf(node.text().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw node.error("'" + node.text() + "' is not a time format (epoch_millis, epoch_seconds, iso_8601)");
            }
        }

        private ZoneId zone(YamlNode node) {
            try {
                return ZoneId.of(node.text().trim());
            } catch (DateTimeException e) {
                throw node.error("'" + node.text() + "' is not a time zone (e.g. UTC, Europe/Berlin)");
            }
        }

        private void fields(YamlNode node) {
            for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
                String field = e.getKey();
                YamlNode value = e.getValue();
                String type;
                boolean optional = false;
                if (value.isScalar()) {
                    type = value.text();
                } else {
                    var f = new YamlNode.Fields(value);
                    type = f.string("type");
                    optional = f.bool("optional", false);
                    f.done();
                }
                switch (type.trim().toLowerCase(Locale.ROOT)) {
                    case "numeric" -> numericFields.add(field);
                    case "categorical" -> categoricalFields.add(field);
                    default -> throw value.error("field type must be numeric or categorical, got '" + type + "'");
                }
                fieldTypes.put(field, type.trim().toLowerCase(Locale.ROOT));
                if (optional) {
                    optionalFields.add(field);
                }
            }
            if (fieldTypes.isEmpty()) {
                throw node.error("declare at least one field");
            }
        }

        private List<FeatureDefinition> feature(YamlNode item) {
            var f = new YamlNode.Fields(item);
            String name = f.string("name");
            if (!name.matches("[A-Za-z0-9_.\\-]+")) {
                throw f.node("name").error("feature names use letters, digits, '_', '.', '-' only: '" + name + "'");
            }
            String type = f.string("type").trim().toLowerCase(Locale.ROOT);
            List<FeatureDefinition> result = switch (type) {
                case "numeric" -> {
                    String field = f.string("field");
                    int index = numericField(f.node("field"), field);
                    boolean optional = optionalFields.contains(field);
                    yield List.of(new FeatureDefinition.Numeric(name, new FeatureDefinition.FieldValue(field, index),
                            imputation(f, Imputation.mean()), f.bool("missing_indicator", optional), steps(f)));
                }
                case "time_since_previous" -> List.of(new FeatureDefinition.Numeric(name, new FeatureDefinition.SecondsSincePrevious(),
                        imputation(f, Imputation.zero()), f.bool("missing_indicator", true), steps(f)));
                case "window" -> window(name, f);
                case "label_history" -> List.of(new FeatureDefinition.Numeric(name, new FeatureDefinition.LabelValue(labelStatistic(f)),
                        imputation(f, Imputation.mean()), f.bool("missing_indicator", false), steps(f)));
                case "one_hot" -> {
                    String field = f.string("field");
                    int index = categoricalField(f.node("field"), field);
                    yield List.of(new FeatureDefinition.OneHot(name, field, index, f.integer("max_categories", 20, 1, 10_000),
                            f.integer("min_count", 1, 1, Integer.MAX_VALUE), f.bool("missing_indicator", optionalFields.contains(field))));
                }
                case "hash" -> {
                    String field = f.string("field");
                    int index = categoricalField(f.node("field"), field);
                    yield List.of(new FeatureDefinition.Hashed(name, field, index, f.integer("buckets", 32, 2, 1 << 20),
                            f.bool("missing_indicator", optionalFields.contains(field))));
                }
                case "hour_of_day" -> List.of(new FeatureDefinition.TimeOfEvent(name, FeatureDefinition.TimeOfEvent.Unit.HOUR_OF_DAY, f.bool("cyclic", true)));
                case "day_of_week" -> List.of(new FeatureDefinition.TimeOfEvent(name, FeatureDefinition.TimeOfEvent.Unit.DAY_OF_WEEK, f.bool("cyclic", true)));
                default -> throw f.node("type").error("unknown feature type '" + type
                        + "' (numeric, time_since_previous, window, label_history, one_hot, hash, hour_of_day, day_of_week)");
            };
            f.done();
            return result;
        }

        /** The statistic's index in the spec's list (one entry per distinct statistic, shared by features that read it). */
        private int labelStatistic(YamlNode.Fields f) {
            YamlNode statNode = f.node("stat");
            LabelStatistic.Kind kind;
            try {
                kind = LabelStatistic.Kind.valueOf(statNode.text().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw statNode.error("unknown label statistic '" + statNode.text() + "' (last, mean, count, seconds_since_positive)");
            }
            boolean windowed = kind == LabelStatistic.Kind.MEAN || kind == LabelStatistic.Kind.COUNT;
            YamlNode lastNode = f.optionalNode("last");
            if (lastNode != null && !windowed) {
                throw lastNode.error("'last' applies to mean and count only, not " + kind.key());
            }
            LabelStatistic statistic = new LabelStatistic(kind, windowed ? f.integer("last", 10, 1, LabelStatistic.MAX_LAST) : 1);
            int index = labelStatistics.indexOf(statistic);
            if (index < 0) {
                labelStatistics.add(statistic);
                index = labelStatistics.size() - 1;
            }
            return index;
        }

        private List<FeatureDefinition> window(String name, YamlNode.Fields f) {
            YamlNode fieldNode = f.optionalNode("field");
            String field = fieldNode == null ? null : fieldNode.text();
            int index = fieldNode == null ? -1 : numericField(fieldNode, field);
            Duration length = f.duration("length");
            Duration granularity = f.duration("granularity", length.dividedBy(12));
            WindowDefinition window;
            try {
                window = new WindowDefinition(field, index, length, granularity);
            } catch (IllegalArgumentException e) {
                throw f.node("length").error(e.getMessage());
            }
            int windowIndex = windows.indexOf(window);
            if (windowIndex < 0) {
                windows.add(window);
                windowIndex = windows.size() - 1;
            }
            YamlNode aggregatesNode = f.node("aggregates");
            List<Aggregate> aggregates = new ArrayList<>();
            for (YamlNode a : aggregatesNode.items()) {
                try {
                    Aggregate aggregate = Aggregate.valueOf(a.text().trim().toUpperCase(Locale.ROOT));
                    if (index < 0 && aggregate != Aggregate.COUNT) {
                        throw a.error("a window without 'field' can only count events, not '" + a.text() + "'");
                    }
                    aggregates.add(aggregate);
                } catch (IllegalArgumentException e) {
                    if (e instanceof SpecException spec) {
                        throw spec;
                    }
                    throw a.error("unknown aggregate '" + a.text() + "' (count, sum, mean, min, max, stddev)");
                }
            }
            if (aggregates.isEmpty()) {
                throw aggregatesNode.error("list at least one aggregate");
            }
            Imputation imputation = imputation(f, Imputation.zero());
            boolean indicator = f.bool("missing_indicator", false);
            List<Step> steps = steps(f);
            List<FeatureDefinition> result = new ArrayList<>();
            for (Aggregate aggregate : aggregates) {
                result.add(new FeatureDefinition.Numeric(name + "_" + aggregate.key(),
                        new FeatureDefinition.WindowValue(windowIndex, aggregate), imputation, indicator, steps));
            }
            return result;
        }

        private Imputation imputation(YamlNode.Fields f, Imputation defaultValue) {
            YamlNode node = f.optionalNode("impute");
            if (node == null) {
                return defaultValue;
            }
            return switch (node.text().trim().toLowerCase(Locale.ROOT)) {
                case "mean" -> Imputation.mean();
                case "zero" -> Imputation.zero();
                default -> new Imputation(Imputation.Kind.CONSTANT, YamlNode.parseNumber(node));
            };
        }

        private List<Step> steps(YamlNode.Fields f) {
            YamlNode node = f.optionalNode("transform");
            if (node == null) {
                return List.of();
            }
            List<Step> steps = new ArrayList<>();
            for (YamlNode s : node.items()) {
                if (s.isScalar()) {
                    steps.add(switch (s.text().trim().toLowerCase(Locale.ROOT)) {
                        case "log1p" -> new Step.Log1p();
                        case "standardize" -> new Step.Standardize();
                        default -> throw s.error("unknown transform '" + s.text() + "' (log1p, standardize, {clip: [min, max]})");
                    });
                } else {
                    var clip = new YamlNode.Fields(s);
                    List<YamlNode> bounds = clip.node("clip").items();
                    if (bounds.size() != 2) {
                        throw clip.node("clip").error("clip takes [min, max]");
                    }
                    double min = YamlNode.parseNumber(bounds.get(0));
                    double max = YamlNode.parseNumber(bounds.get(1));
                    if (min > max) {
                        throw clip.node("clip").error("clip min " + min + " is above max " + max);
                    }
                    clip.done();
                    steps.add(new Step.Clip(min, max));
                }
            }
            if (steps.stream().filter(s -> s instanceof Step.Standardize).count() > 1) {
                throw node.error("standardize may appear once");
            }
            return steps;
        }

        private int numericField(YamlNode node, String field) {
            return fieldIndex(node, field, "numeric", numericFields);
        }

        private int categoricalField(YamlNode node, String field) {
            return fieldIndex(node, field, "categorical", categoricalFields);
        }

        private int fieldIndex(YamlNode node, String field, String type, List<String> fields) {
            String declared = fieldTypes.get(field);
            if (declared == null) {
                throw node.error("field '" + field + "' is not declared under 'fields'");
            }
            if (!declared.equals(type)) {
                throw node.error("field '" + field + "' is " + declared + ", this feature needs a " + type + " field");
            }
            return fields.indexOf(field);
        }
    }
}
