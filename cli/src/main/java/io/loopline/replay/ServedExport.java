package io.loopline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopline.operators.features.spec.FeatureSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation served, one CSV row per replayed row in replay order: the feature columns
 * exactly as serving computed them (header: the spec's column names), the true label, the served
 * score and the model version that made it, and the event id. Another learner (MOA, River) run on
 * this file with the same label delay sees exactly the inputs Loopline saw: a like-for-like
 * comparison. Rows that were not served (dead-lettered) are left out.
 */
final class ServedExport {
    private ServedExport() {}

    static void write(Path file, FeatureSpec spec, List<FileReplay.Row> rows, Map<String, JsonNode> featureLog) throws IOException {
        List<String> columns = spec.columnNames();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(String.join(",", columns.stream().map(ServedExport::quoted).toList()));
            out.write(",label,score,model_version,event_id\n");
            StringBuilder line = new StringBuilder();
            for (FileReplay.Row row : rows) {
                JsonNode served = featureLog.get(row.eventId());
                if (served == null) {
                    continue;
                }
                line.setLength(0);
                JsonNode values = served.path("values");
                if (values.size() != columns.size()) {
                    throw new IOException("event " + row.eventId() + " was served with " + values.size() + " features, the spec has " + columns.size());
                }
                for (JsonNode value : values) {
                    line.append(number(value.asDouble())).append(',');
                }
                line.append(Double.isNaN(row.label()) ? "" : number(row.label())).append(',')
                        .append(number(served.path("score").asDouble())).append(',')
                        .append(served.path("modelVersion").asLong()).append(',')
                        .append(quoted(row.eventId())).append('\n');
                out.write(line.toString());
            }
        }
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v); // round-trips exactly
    }

    private static String quoted(String text) {
        return text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
