package io.loopline.operators.drift;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopline.state.profile.ReferenceProfile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference distributions drift is measured against, from the backfill's profile: for each
 * feature column its quantile bins (inner edges; bin b holds (edge[b-1], edge[b]], the first bin
 * everything up to edge[0], the last everything above the last edge) with their counts and the
 * observed min and max; and the label prior.
 */
public final class ReferenceBins implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> columns;
    private final double[][] innerEdges;
    private final double[][] counts;
    private final double[] min;
    private final double[] max;
    private final double[] labelCounts;

    public ReferenceBins(List<String> columns, double[][] innerEdges, double[][] counts, double[] min, double[] max, double[] labelCounts) {
        this.columns = List.copyOf(columns);
        this.innerEdges = innerEdges;
        this.counts = counts;
        this.min = min;
        this.max = max;
        this.labelCounts = labelCounts;
    }

    public static ReferenceBins of(ReferenceProfile profile) {
        JsonNode features = profile.json().path("features");
        int n = profile.columns().size();
        double[][] edges = new double[n][];
        double[][] counts = new double[n][];
        double[] min = new double[n];
        double[] max = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode f = features.path(profile.columns().get(i));
            edges[i] = numbers(f.path("quantileEdges"));
            counts[i] = numbers(f.path("binCounts"));
            if (counts[i].length == 0) {
                counts[i] = new double[] {0};
            }
            min[i] = f.path("min").asDouble(Double.NaN);
            max[i] = f.path("max").asDouble(Double.NaN);
        }
        JsonNode labels = profile.json().path("label").path("values");
        double[] labelCounts = {labels.path("0").asDouble(0), labels.path("1").asDouble(0)};
        return new ReferenceBins(profile.columns(), edges, counts, min, max, labelCounts);
    }

    private static double[] numbers(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public List<String> columns() {
        return columns;
    }

    public int bins(int column) {
        return counts[column].length;
    }

    public int bin(int column, double value) {
        double[] edges = innerEdges[column];
        int i = Arrays.binarySearch(edges, value);
        int bin = i >= 0 ? i : -i - 1;
        return Math.min(bin, counts[column].length - 1);
    }

    public double[] counts(int column) {
        return counts[column];
    }

    /** Bin edges with the observed min and max outside, for Wasserstein on bins (values beyond them count in the outer bins). */
    public double[] closedEdges(int column) {
        double[] inner = innerEdges[column];
        double[] edges = new double[inner.length + 2];
        edges[0] = Math.min(min[column], inner.length > 0 ? inner[0] : min[column]);
        System.arraycopy(inner, 0, edges, 1, inner.length);
        edges[edges.length - 1] = Math.max(max[column], inner.length > 0 ? inner[inner.length - 1] : max[column]);
        return edges;
    }

    /** Reference counts of label 0 and label 1. */
    public double[] labelCounts() {
        return labelCounts.clone();
    }
}
