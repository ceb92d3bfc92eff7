package io.loopline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.state.records.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of a replay's writes: when each label becomes known, and where a lockstep replay waits. */
class FileReplayTest {
    private static final String SPEC = """
            name: rows
            event: {id: row, entity: stream, time: ts, label: y}
            csv:
              row_id: row
              row_time: {field: ts, start: "2024-01-01T00:00:00Z", step: 1min}
              constants: {stream: s}
            fields: {x: numeric}
            state: {out_of_orderness: 0s}
            features:
              - {name: x, type: numeric, field: x}
            """;

    @TempDir
    Path dir;

    /** Writes as "e3" (event of row 3) and "l1" (label of row 1), in order; lockstep waits as "w5" (waited for 5 labels). */
    private static final class TestingOutput implements FileReplay.Output, FileReplay.Gate {
        final List<String> writes = new ArrayList<>();
        final List<Long> labelTimes = new ArrayList<>();

        @Override
        public void event(Event event, byte[] json) {
            writes.add("e" + event.id());
        }

        @Override
        public void label(FileReplay.Row row, long knownAt) {
            writes.add("l" + row.eventId());
            labelTimes.add(knownAt);
        }

        @Override
        public void flush() {}

        @Override
        public boolean failed() {
            return false;
        }

        @Override
        public void awaitLabels(long labels) {
            writes.add("w" + labels);
        }
    }

    private FileReplay replayOf(int rows) throws Exception {
        List<String> lines = new ArrayList<>(List.of("x,y"));
        for (int i = 1; i <= rows; i++) {
            lines.add(i + "," + (i % 2));
        }
        Path file = dir.resolve("rows.csv");
        Files.write(file, lines);
        return new FileReplay(FeatureSpecParser.parse(SPEC, "rows.yaml"), file, "y");
    }

    private TestingOutput replay(FileReplay replay, int rows) throws Exception {
        TestingOutput out = new TestingOutput();
        FileReplay.Result result = replay.replay(FileReplay.read(dir.resolve("rows.csv"), replayOfSpec()), out);
        assertThat(result.rows()).hasSize(rows);
        assertThat(result.labels()).isEqualTo(rows);
        return out;
    }

    private static io.loopline.operators.features.spec.FeatureSpec replayOfSpec() throws Exception {
        return FeatureSpecParser.parse(SPEC, "rows.yaml");
    }

    @Test
    void withADelayOfOneRowALabelFollowsTheNextEvent() throws Exception {
        TestingOutput out = replay(replayOf(4).labelDelayRows(1), 4);
        assertThat(out.writes).containsExactly("e1", "e2", "l1", "e3", "l2", "e4", "l3", "l4");
    }

    @Test
    void withNoDelayALabelFollowsItsOwnEvent() throws Exception {
        TestingOutput out = replay(replayOf(3).labelDelayRows(0), 3);
        assertThat(out.writes).containsExactly("e1", "l1", "e2", "l2", "e3", "l3");
    }

    @Test
    void aLabelIsStampedWithTheEventTimeAtWhichItBecameKnown() throws Exception {
        TestingOutput out = replay(replayOf(5).labelDelayRows(2), 5);
        assertThat(out.writes).containsExactly("e1", "e2", "e3", "l1", "e4", "l2", "e5", "l3", "l4", "l5");
        long start = java.time.Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
        long minute = 60_000;
        // Row 1's label became known with row 3, row 2's with row 4; the last ones at the end of the stream.
        assertThat(out.labelTimes).containsExactly(start + 2 * minute, start + 3 * minute, start + 4 * minute, start + 4 * minute, start + 4 * minute);
    }

    @Test
    void lockstepWaitsForTheLabelsOfEveryRowThatHasASuccessor() throws Exception {
        FileReplay replay = replayOf(7).labelDelayRows(1);
        TestingOutput out = new TestingOutput();
        replay.lockstep(out, 3);
        replay.replay(FileReplay.read(dir.resolve("rows.csv"), replayOfSpec()), out);
        // Before row 4: rows 1 and 2 have a successor and their labels were written (row 3's label was not yet); before row 7: rows 1-5.
        assertThat(out.writes).containsExactly("e1", "e2", "l1", "e3", "l2", "w2", "e4", "l3", "e5", "l4", "e6", "l5", "w5", "e7", "l6", "l7");
    }
}
