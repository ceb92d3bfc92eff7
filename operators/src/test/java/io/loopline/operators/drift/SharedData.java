package io.loopline.operators.drift;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The public reference data in {@code ../shared/data} (next to the repository); tests skip, saying so, when it is absent. */
final class SharedData {
    private static final Path ROOT = Path.of("..", "..", "shared", "data");

    private SharedData() {}

    static Path require(String relative) {
        Path file = ROOT.resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(file), "skipped: " + file.toAbsolutePath() + " is absent (the shared data sets are not here)");
        return file;
    }
}
