package io.loopline.operators.learning;

import io.loopline.state.profile.FeatureFit;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A declared slice: a one-hot feature whose category names each example's slice, read back from
 * the served feature vector (the columns {@code name[0..k-1]} and {@code name[other]}), with the
 * category names the fit learned.
 */
public final class Slices implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String feature;
    private final int[] columns;
    private final String[] names;

    private Slices(String feature, int[] columns, String[] names) {
        this.feature = feature;
        this.columns = columns;
        this.names = names;
    }

    /**
     * @param columns the served vector's column names, in order
     * @throws IllegalArgumentException naming the feature when it is not a one-hot feature of these columns
     */
    public static Slices of(String feature, List<String> columns, FeatureFit fit) {
        List<Integer> indices = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> vocabulary = fit.vocabularies().getOrDefault(feature, List.of());
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            if (c.startsWith(feature + "[") && c.endsWith("]")) {
                String inner = c.substring(feature.length() + 1, c.length() - 1);
                indices.add(i);
                if (inner.equals("other")) {
                    names.add("other");
                } else {
                    int k = Integer.parseInt(inner);
                    names.add(k < vocabulary.size() ? vocabulary.get(k) : inner);
                }
            }
        }
        if (indices.isEmpty()) {
            throw new IllegalArgumentException("--slice: '" + feature + "' is not a one_hot feature of the feature spec");
        }
        return new Slices(feature, indices.stream().mapToInt(Integer::intValue).toArray(), names.toArray(String[]::new));
    }

    public String feature() {
        return feature;
    }

    /** {@code feature=category} of a served vector, or {@code feature=missing} when no column is set. */
    public String sliceOf(double[] values) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] < values.length && values[columns[i]] >= 0.5) {
                return feature + "=" + names[i];
            }
        }
        return feature + "=missing";
    }
}
