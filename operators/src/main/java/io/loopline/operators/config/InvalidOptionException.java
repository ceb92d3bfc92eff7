package io.loopline.operators.config;

/**
 * A configuration value that cannot be used, with the key it was read from. Whoever turns the
 * user's input into a configuration (a job's {@code --config} file, a CLI flag) renames the key
 * into the surface the user typed, without reading the message.
 */
public final class InvalidOptionException extends IllegalArgumentException {
    private final String key;
    private final String problem;

    public InvalidOptionException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problem = problem;
    }

    public String key() {
        return key;
    }

    /** What is wrong with the value, without the key. */
    public String problem() {
        return problem;
    }
}
