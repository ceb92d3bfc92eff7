package io.loopline.state.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.Path;

/**
 * A reference profile written by the backfill ({@code profile.json}): the feature spec's name and
 * columns, the learned {@link FeatureFit}, and the statistics drift detection compares against.
 * The full JSON stays available through {@link #json()}.
 */
public final class ReferenceProfile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String spec;
    private final List<String> columns;
    private final FeatureFit fit;
    private final long rows;
    private final JsonNode json;

    private ReferenceProfile(String spec, List<String> columns, FeatureFit fit, long rows, JsonNode json) {
        this.spec = spec;
        this.columns = List.copyOf(columns);
        this.fit = fit;
        this.rows = rows;
        this.json = json;
    }

    /** Reads a profile from any Flink FileSystem path (local, s3://, hdfs://). */
    public static ReferenceProfile read(Path path) throws IOException {
        try (InputStream in = path.getFileSystem().open(path)) {
            return parse(JSON.readTree(in), path.toString());
        }
    }

    public static ReferenceProfile parse(JsonNode root, String source) {
        int version = root.path("formatVersion").asInt(-1);
        if (version != 1) {
            throw new IllegalArgumentException(source + ": not a Loopline reference profile (formatVersion " + version + ")");
        }
        List<String> columns = new ArrayList<>();
        root.path("columns").forEach(c -> columns.add(c.asText()));
        return new ReferenceProfile(root.path("spec").asText(), columns, FeatureFit.fromJson(root.path("fit")), root.path("rows").asLong(), root);
    }

    public String spec() {
        return spec;
    }

    public List<String> columns() {
        return columns;
    }

    public FeatureFit fit() {
        return fit;
    }

    public long rows() {
        return rows;
    }

    public JsonNode json() {
        return json;
    }

    /** Fails, naming both, when this profile was made for other feature columns than {@code expected}. */
    public ReferenceProfile requireColumns(String specName, List<String> expected) {
        if (!columns.equals(expected)) {
            throw new IllegalArgumentException("the reference profile was made by feature spec '" + spec + "' with " + columns.size()
                    + " columns; spec '" + specName + "' has " + expected.size() + " different ones: run the backfill again");
        }
        return this;
    }
}
