package io.loopline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.operators.features.spec.CsvOptions;
import io.loopline.state.records.RawEvent;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRecordsTest {
    private static final String TRICKY = String.join("\n",
            "id,merchant,amount",
            "a,\"Smith, Jones & Co\",1.5",
            "",
            "b,\"a \"\"quoted\"\" name\",2",
            "c,\"two",
            "lines\",3",
            "d,plain,4");

    private static List<List<String>> all(String text) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (CsvRecords records = new CsvRecords(new StringReader(text))) {
            for (List<String> row = records.next(); row != null; row = records.next()) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void quotedCellsKeepCommasQuotesAndLineBreaks() throws IOException {
        assertThat(all(TRICKY)).containsExactly(List.of("id", "merchant", "amount"), List.of("a", "Smith, Jones & Co", "1.5"),
                List.of("b", "a \"quoted\" name", "2"), List.of("c", "two\nlines", "3"), List.of("d", "plain", "4"));
        assertThat(CsvRows.split(" x , \"y,z\" ")).containsExactly("x", "y,z");
        assertThat(CsvRecords.rowOf(List.of("c", "two\nlines", "say \"hi\""))).isEqualTo("c,\"two\nlines\",\"say \"\"hi\"\"\"");
    }

    @Test
    void eachRecordKnowsTheLineItStartedOn() throws IOException {
        List<Long> lines = new ArrayList<>();
        try (CsvRecords records = new CsvRecords(new StringReader(TRICKY))) {
            while (records.next() != null) {
                lines.add(records.line());
            }
        }
        assertThat(lines).containsExactly(1L, 2L, 4L, 5L, 7L);
    }

    @Test
    void aQuoteNeverClosedIsAnErrorNotASilentEnd() {
        assertThatThrownBy(() -> all("id,name\n1,\"open\n2,x\n")).isInstanceOf(IOException.class);
    }

    @Test
    void theFileSourceReadsMultiLineRecordsAndNamesWhereEachStarted(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("events.csv"), TRICKY + "\ne,\"never closed\n");
        var format = new EventFileFormat(InputFormat.CSV, CsvOptions.NONE);
        var split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()), 0, Files.size(file), 0, Files.size(file));
        List<RawEvent> events = new ArrayList<>();
        try (var reader = format.createReader(new Configuration(), split)) {
            for (var batch = reader.readBatch(); batch != null; batch = reader.readBatch()) {
                for (var record = batch.next(); record != null; record = batch.next()) {
                    events.add(record.getRecord());
                }
                batch.releaseBatch();
            }
        }
        assertThat(events).extracting(RawEvent::origin).containsExactly("events.csv:2", "events.csv:4", "events.csv:5", "events.csv:7", "events.csv:8");
        var c = new ObjectMapper().readTree(events.get(2).value());
        assertThat(c.path("merchant").asText()).isEqualTo("two\nlines");
        assertThat(c.path("amount").asInt()).isEqualTo(3);
        assertThat(new String(events.get(4).value(), StandardCharsets.UTF_8)).as("the rest of the file, one dead letter").startsWith("unreadable CSV");
    }

    @Test
    void aTrainingSetWithIdsThatNeedQuotesReadsBack(@TempDir Path dir) throws IOException {
        Path training = Files.createDirectories(dir.resolve("training"));
        Files.writeString(training.resolve("part-0.csv"), String.join("\n", "event_id,entity,timestamp,label,x", "\"id,1\",\"card\nnine\",20,1,0.5",
                "plain,card,10,0,0.25", "unlabelled,card,30,,0.75", ""));
        var set = TrainingSetReader.read(new org.apache.flink.core.fs.Path(training.toUri()));
        assertThat(set.columns()).containsExactly("x");
        assertThat(set.rows()).extracting(TrainingSetReader.Row::eventId).containsExactly("plain", "id,1");
        assertThat(set.rows().get(1).values()).containsExactly(0.5);
    }
}
