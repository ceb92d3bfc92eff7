package io.loopline.state.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the backfill learns once over history and serving reuses unchanged: per numeric feature the
 * imputation mean and the standardization mean/std, per one-hot feature its vocabulary (category to
 * slot). Stored inside the reference profile; never recomputed online, so training and serving
 * transform identically.
 */
public final class FeatureFit implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * @param imputeMean mean of the raw non-missing values (used by {@code impute: mean})
     * @param scaleMean mean of the values just before {@code standardize}
     * @param scaleStd population std of those values
     * @param count non-missing values seen
     */
    public record NumericFit(double imputeMean, double scaleMean, double scaleStd, long count) implements Serializable {}

    private final Map<String, NumericFit> numeric;
    private final Map<String, List<String>> vocabularies;

    public FeatureFit(Map<String, NumericFit> numeric, Map<String, List<String>> vocabularies) {
        this.numeric = Map.copyOf(numeric);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        vocabularies.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.vocabularies = Map.copyOf(copy);
    }

    public NumericFit numeric(String feature) {
        NumericFit fit = numeric.get(feature);
        if (fit == null) {
            throw new IllegalArgumentException("no fitted statistics for numeric feature '" + feature
                    + "': the profile was made with another feature spec");
        }
        return fit;
    }

    public List<String> vocabulary(String feature) {
        List<String> vocabulary = vocabularies.get(feature);
        if (vocabulary == null) {
            throw new IllegalArgumentException("no vocabulary for one-hot feature '" + feature
                    + "': the profile was made with another feature spec");
        }
        return vocabulary;
    }

    public Map<String, NumericFit> numeric() {
        return numeric;
    }

    public Map<String, List<String>> vocabularies() {
        return vocabularies;
    }

    public ObjectNode toJson(ObjectNode into) {
        ObjectNode numericNode = into.putObject("numeric");
        numeric.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ObjectNode n = numericNode.putObject(e.getKey());
            n.put("imputeMean", e.getValue().imputeMean());
            n.put("scaleMean", e.getValue().scaleMean());
            n.put("scaleStd", e.getValue().scaleStd());
            n.put("count", e.getValue().count());
        });
        ObjectNode vocabNode = into.putObject("vocabularies");
        vocabularies.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            var array = vocabNode.putArray(e.getKey());
            e.getValue().forEach(array::add);
        });
        return into;
    }

    public static FeatureFit fromJson(JsonNode node) {
        Map<String, NumericFit> numeric = new LinkedHashMap<>();
        node.path("numeric").fields().forEachRemaining(e -> numeric.put(e.getKey(), new NumericFit(
                number(e.getValue(), "imputeMean"), number(e.getValue(), "scaleMean"), number(e.getValue(), "scaleStd"),
                e.getValue().path("count").asLong())));
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        node.path("vocabularies").fields().forEachRemaining(e -> {
            List<String> words = new ArrayList<>();
            e.getValue().forEach(w -> words.add(w.asText()));
            vocabularies.put(e.getKey(), words);
        });
        return new FeatureFit(numeric, vocabularies);
    }

    private static double number(JsonNode node, String key) {
        JsonNode value = node.get(key);
        // JSON has no NaN: a missing or null statistic (nothing was seen) reads back as NaN.
        return value == null || value.isNull() ? Double.NaN : value.asDouble();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureFit f && numeric.equals(f.numeric) && vocabularies.equals(f.vocabularies);
    }

    @Override
    public int hashCode() {
        return Objects.hash(numeric, vocabularies);
    }
}
