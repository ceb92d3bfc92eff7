package io.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
    @TempDir
    Path dir;
    private FileSystemModelStore store;

    @BeforeEach
    void twoVersions() throws Exception {
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        store.publish(draft(null, 0.90), "weights one".getBytes(StandardCharsets.UTF_8));
        store.publish(draft(1L, 0.80), "weights two".getBytes(StandardCharsets.UTF_8));
    }

    private static ModelDraft draft(Long parent, double accuracy) {
        return new ModelDraft("fraud", parent, "dl4j-multilayer-zip", "spec", List.of("a"), null, null, 10, Map.of("validation.accuracy", accuracy));
    }

    private int run(String... args) {
        var cli = Loopline.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    @Test
    void rollbackPublishesThePreviousChampionsWeightsAsTheNextVersion() throws Exception {
        assertThat(run("models", "rollback", "--store", dir.toUri().toString(), "fraud")).isZero();
        ModelMetadata v3 = store.latest("fraud").orElseThrow();
        assertThat(v3.version()).isEqualTo(3);
        assertThat(v3.parent()).isEqualTo(1);
        assertThat(v3.sha256()).isEqualTo(store.get("fraud", 1).orElseThrow().sha256());
        assertThat(v3.metrics()).containsEntry("rollback.of", 2.0).containsEntry("validation.accuracy", 0.90);
        assertThat(run("models", "rollback", "--store", dir.toUri().toString(), "fraud")).isZero();
        assertThat(store.latest("fraud").orElseThrow().sha256()).as("rolling back again returns to v2's weights")
                .isEqualTo(store.get("fraud", 2).orElseThrow().sha256());
    }

    @Test
    void promoteMakesAnEarlierVersionChampionOnceAndRefusesUnknownVersions() throws Exception {
        assertThat(run("models", "promote", "--store", dir.toUri().toString(), "fraud", "--version", "1")).isZero();
        assertThat(store.latest("fraud").orElseThrow().metrics()).containsEntry("promoted.from", 1.0);
        assertThat(run("models", "promote", "--store", dir.toUri().toString(), "fraud", "--version", "1")).as("already champion").isZero();
        assertThat(store.versions("fraud")).hasSize(3);
        assertThat(run("models", "promote", "--store", dir.toUri().toString(), "fraud", "--version", "9")).isEqualTo(1);
    }
}
