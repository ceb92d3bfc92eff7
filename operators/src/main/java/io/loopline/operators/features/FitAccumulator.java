package io.loopline.operators.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.operators.features.spec.FeatureDefinition;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.EventWithAggregates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns a {@link FeatureFit} from rows in one pass. Mergeable: each parallel task fills its own,
 * the partials (as JSON) are merged, so the result does not depend on parallelism beyond
 * floating-point rounding of the merge.
 *
 * <p>Category counts are kept for at most {@link #MAX_TRACKED_CATEGORIES} distinct values per
 * feature; later new values are not counted (they could never make a top-K vocabulary of a
 * reasonable size anyway), which bounds memory on high-cardinality fields.
 */
public final class FitAccumulator {
    static final int MAX_TRACKED_CATEGORIES = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FeatureSpec spec;
    private final Map<String, Moments> raw = new LinkedHashMap<>();
    private final Map<String, Moments> scaled = new LinkedHashMap<>();
    /** Counts per categorical field (not per feature): vocabularies and the profile's frequencies. */
    private final Map<String, Map<String, Long>> categories = new LinkedHashMap<>();

    public FitAccumulator(FeatureSpec spec) {
        this.spec = spec;
        for (FeatureDefinition f : spec.features()) {
            if (f instanceof FeatureDefinition.Numeric) {
                raw.put(f.name(), new Moments());
                scaled.put(f.name(), new Moments());
            }
        }
        for (String field : spec.schema().categoricalFields()) {
            categories.put(field, new HashMap<>());
        }
    }

    public void add(EventWithAggregates row) {
        for (FeatureDefinition f : spec.features()) {
            if (f instanceof FeatureDefinition.Numeric numeric) {
                double value = NumericInputs.raw(numeric, row);
                if (!Double.isNaN(value)) {
                    raw.get(f.name()).add(value);
                    scaled.get(f.name()).add(NumericInputs.applyUntilStandardize(numeric, value));
                }
            }
        }
        List<String> fields = spec.schema().categoricalFields();
        for (int i = 0; i < fields.size(); i++) {
            String category = row.event().categories()[i];
            Map<String, Long> counts = categories.get(fields.get(i));
            if (category != null && (counts.size() < MAX_TRACKED_CATEGORIES || counts.containsKey(category))) {
                counts.merge(category, 1L, Long::sum);
            }
        }
    }

    /** Frequencies of each categorical field's values (the most frequent {@code limit}, by count then name). */
    public Map<String, Map<String, Long>> categoryFrequencies(int limit) {
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        categories.forEach((field, counts) -> {
            Map<String, Long> top = new LinkedHashMap<>();
            counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .limit(limit)
                    .forEach(e -> top.put(e.getKey(), e.getValue()));
            result.put(field, top);
        });
        return result;
    }

    public FitAccumulator merge(FitAccumulator other) {
        other.raw.forEach((k, m) -> raw.get(k).merge(m));
        other.scaled.forEach((k, m) -> scaled.get(k).merge(m));
        other.categories.forEach((k, counts) -> {
            Map<String, Long> mine = categories.get(k);
            counts.forEach((c, n) -> {
                if (mine.size() < MAX_TRACKED_CATEGORIES || mine.containsKey(c)) {
                    mine.merge(c, n, Long::sum);
                }
            });
        });
        return this;
    }

    /** Vocabularies: the most frequent categories with at least min_count, ties by name, up to max_categories. */
    public FeatureFit result() {
        Map<String, FeatureFit.NumericFit> numeric = new LinkedHashMap<>();
        raw.forEach((name, m) -> {
            Moments s = scaled.get(name);
            numeric.put(name, new FeatureFit.NumericFit(m.mean(), s.mean(), s.std(), m.count));
        });
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        for (FeatureDefinition f : spec.features()) {
            if (f instanceof FeatureDefinition.OneHot oneHot) {
                List<String> vocabulary = new ArrayList<>();
                categories.get(oneHot.field()).entrySet().stream()
                        .filter(e -> e.getValue() >= oneHot.minCount())
                        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                        .limit(oneHot.maxCategories())
                        .forEach(e -> vocabulary.add(e.getKey()));
                vocabularies.put(f.name(), vocabulary);
            }
        }
        return new FeatureFit(numeric, vocabularies);
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode rawNode = root.putObject("raw");
        raw.forEach((k, m) -> m.toJson(rawNode.putObject(k)));
        ObjectNode scaledNode = root.putObject("scaled");
        scaled.forEach((k, m) -> m.toJson(scaledNode.putObject(k)));
        ObjectNode categoriesNode = root.putObject("categories");
        categories.forEach((k, counts) -> {
            ObjectNode c = categoriesNode.putObject(k);
            counts.forEach(c::put);
        });
        return root.toString();
    }

    public static FitAccumulator fromJson(FeatureSpec spec, String json) {
        FitAccumulator acc = new FitAccumulator(spec);
        try {
            JsonNode root = JSON.readTree(json);
            acc.raw.forEach((k, m) -> m.fromJson(root.path("raw").path(k)));
            acc.scaled.forEach((k, m) -> m.fromJson(root.path("scaled").path(k)));
            acc.categories.forEach((k, counts) -> root.path("categories").path(k).fields()
                    .forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return acc;
    }

    /** Count, mean and M2 (Welford), mergeable with Chan et al.'s formula. */
    static final class Moments {
        long count;
        double mean;
        double m2;

        void add(double x) {
            count++;
            double delta = x - mean;
            mean += delta / count;
            m2 += delta * (x - mean);
        }

        void merge(Moments o) {
            if (o.count == 0) {
                return;
            }
            long n = count + o.count;
            double delta = o.mean - mean;
            mean += delta * o.count / n;
            m2 += o.m2 + delta * delta * ((double) count * o.count / n);
            count = n;
        }

        double mean() {
            return count == 0 ? Double.NaN : mean;
        }

        double std() {
            return count == 0 ? Double.NaN : Math.sqrt(Math.max(0, m2 / count));
        }

        void toJson(ObjectNode node) {
            node.put("count", count).put("mean", mean).put("m2", m2);
        }

        void fromJson(JsonNode node) {
            count = node.path("count").asLong();
            mean = node.path("mean").asDouble();
            m2 = node.path("m2").asDouble();
        }
    }
}
