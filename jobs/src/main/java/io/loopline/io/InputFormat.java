package io.loopline.io;

import java.util.Locale;

/** How event files are written. */
public enum InputFormat {
    /** One JSON object per line. */
    JSONL,
    /** Comma-separated values with a header row; numbers become JSON numbers, empty cells missing values. */
    CSV;

    /** From a file name: {@code .csv} is CSV, anything else JSON lines. */
    public static InputFormat guess(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? CSV : JSONL;
    }
}
