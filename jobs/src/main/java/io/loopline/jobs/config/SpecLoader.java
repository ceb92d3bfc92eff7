package io.loopline.jobs.config;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.operators.features.spec.SpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads a feature spec from a file, or one of the specs shipped in the jar by name. */
public final class SpecLoader {
    public static final List<String> BUILT_IN = List.of("transactions", "elec2");

    private SpecLoader() {}

    public static FeatureSpec load(String nameOrPath) {
        Path path = Path.of(nameOrPath);
        if (Files.isRegularFile(path)) {
            return FeatureSpecParser.parse(path);
        }
        if (BUILT_IN.contains(nameOrPath)) {
            return FeatureSpecParser.parse(builtInText(nameOrPath), nameOrPath + ".yaml (built in)");
        }
        throw new SpecException("--spec: '" + nameOrPath + "' is neither a file nor a built-in spec " + BUILT_IN);
    }

    public static String builtInText(String name) {
        try (InputStream in = SpecLoader.class.getResourceAsStream("/specs/" + name + ".yaml")) {
            if (in == null) {
                throw new SpecException("built-in spec '" + name + "' is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException("cannot read built-in spec '" + name + "': " + e.getMessage());
        }
    }
}
