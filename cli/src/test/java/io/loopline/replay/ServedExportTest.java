package io.loopline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.operators.features.spec.FeatureSpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedExportTest {
    private static final String SPEC = """
            name: rows
            event: {id: row, entity: stream, time: ts, label: y}
            fields: {price: numeric, demand: numeric}
            state: {out_of_orderness: 0s}
            features:
              - {name: price, type: numeric, field: price}
              - {name: demand, type: numeric, field: demand}
            """;

    @Test
    void oneLinePerServedRowInReplayOrderWithTheServedValuesLabelScoreAndVersion(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> log = Map.of(
                "r2", json.readTree("{\"eventId\":\"r2\",\"values\":[0.25,3.0],\"score\":0.75,\"modelVersion\":2}"),
                "r1", json.readTree("{\"eventId\":\"r1\",\"values\":[0.1,-1.5],\"score\":0.125,\"modelVersion\":1}"));
        List<FileReplay.Row> rows = List.of(new FileReplay.Row("r1", "e", 1, 0), new FileReplay.Row("dead-lettered", "e", 2, 1), new FileReplay.Row("r2", "e", 3, 1));
        Path file = dir.resolve("served.csv");
        ServedExport.write(file, FeatureSpecParser.parse(SPEC, "rows.yaml"), rows, log);
        assertThat(Files.readAllLines(file)).containsExactly(
                "price,demand,label,score,model_version,event_id",
                "0.1,-1.5,0,0.125,1,r1",
                "0.25,3,1,0.75,2,r2");
    }
}
