package io.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from the options; each key is declared once. */
class ConfigurationReferenceTest {
    private static final Path DOCS = Path.of("..", "docs", "configuration.md");

    @Test
    void theReferenceInDocsIsTheOneTheOptionsGenerate() throws Exception {
        String generated = ConfigurationReference.markdown();
        Path fresh = Path.of("target", "configuration.md");
        Files.writeString(fresh, generated, StandardCharsets.UTF_8);
        assertThat(Files.exists(DOCS)).as("docs/configuration.md").isTrue();
        assertThat(Files.readString(DOCS, StandardCharsets.UTF_8))
                .as("docs/configuration.md is stale: cp cli/%s docs/configuration.md", fresh).isEqualTo(generated);
    }

    @Test
    void everyKeyIsDeclaredOnceAndDescribed() {
        Map<String, String> declaredIn = new HashMap<>();
        ConfigurationReference.GROUPS.values().forEach(holder -> {
            for (ConfigOption<?> option : ConfigurationReference.optionsOf(holder)) {
                assertThat(declaredIn.put(option.key(), holder.getSimpleName())).as("%s declared twice", option.key()).isNull();
                assertThat(option.description().getBlocks()).as("%s has a description", option.key()).isNotEmpty();
            }
        });
        assertThat(declaredIn).hasSizeGreaterThan(50);
    }
}
