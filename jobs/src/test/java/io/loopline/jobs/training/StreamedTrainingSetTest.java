package io.loopline.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.io.TrainingSetReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamedTrainingSetTest {
    private static List<Double> epoch(ShuffledBatches batches, List<Integer> sizes, List<Double> seen, int rows) {
        for (int i = 0; i < rows; i++) {
            batches.add(new double[] {i}, i % 2);
        }
        batches.endEpoch();
        return seen;
    }

    @Test
    void everyRowOncePerEpochInFullBatchesShuffledWithinTheBuffer() {
        List<Integer> sizes = new ArrayList<>();
        List<Double> seen = new ArrayList<>();
        var batches = new ShuffledBatches(64, 10, 7, (x, y) -> {
            sizes.add(x.length);
            for (double[] row : x) {
                seen.add(row[0]);
            }
        });
        epoch(batches, sizes, seen, 1000);
        assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
        assertThat(sizes).hasSize(100).containsOnly(10);
        assertThat(seen.subList(0, 100)).as("shuffled").isNotEqualTo(seen.subList(0, 100).stream().sorted().toList());
        // Bounded: no row leaves more than the buffer's size before or after its position in the stream, give or take the batch.
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isLessThanOrEqualTo(i + 64.0);
        }
        seen.clear();
        sizes.clear();
        epoch(batches, sizes, seen, 25);
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(i -> (double) i).toList());
    }

    @Test
    void theSplitValidatesTheMostRecentRowsTiesByIdAsTheSortedSetDoes(@TempDir Path dir) throws Exception {
        Path training = Files.createDirectories(dir.resolve("training"));
        List<String> a = new ArrayList<>(List.of("event_id,entity,timestamp,label,x"));
        List<String> b = new ArrayList<>(List.of("event_id,entity,timestamp,label,x"));
        for (int i = 0; i < 50; i++) {
            long time = 1000 + (i / 5) * 10; // five rows per timestamp: ties at every cutoff
            (i % 2 == 0 ? a : b).add("e" + (char) ('a' + (i * 7) % 26) + i + ",c," + time + "," + (i % 2) + "," + i);
        }
        Files.write(training.resolve("part-0.csv"), a);
        Files.write(training.resolve("part-1.csv"), b);
        var dirPath = new org.apache.flink.core.fs.Path(training.toUri());
        List<TrainingSetReader.Row> sorted = TrainingSetReader.read(dirPath).rows();
        for (double fraction : new double[] {0.2, 0.33, 0.5, 0.9}) {
            TimeSplit split = TimeSplit.of(dirPath, fraction);
            assertThat(split.trainingRows + split.validationRows).isEqualTo(50);
            List<String> validating = new ArrayList<>();
            TrainingSetReader.forEach(dirPath, row -> {
                if (split.validates(row)) {
                    validating.add(row.eventId());
                }
            });
            assertThat(validating).as("fraction %s", fraction).containsExactlyInAnyOrderElementsOf(
                    sorted.subList(split.trainingRows, sorted.size()).stream().map(TrainingSetReader.Row::eventId).toList());
            assertThat(split.firstTime).isEqualTo(1000);
            assertThat(split.lastTime).isEqualTo(1090);
        }
    }
}
