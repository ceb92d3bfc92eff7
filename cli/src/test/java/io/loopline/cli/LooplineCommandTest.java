package io.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LooplineCommandTest {
    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cli = Loopline.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        Result r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo", "kafka");
    }

    @Test
    void demoHelpDescribesEveryOption() {
        Result r = run("demo", "--help");
        assertThat(r.exit()).isZero();
        CommandLine.Model.CommandSpec demo = Loopline.commandLine().getSubcommands().get("demo").getCommandSpec();
        for (CommandLine.Model.OptionSpec option : demo.options()) {
            assertThat(option.description()).as(option.longestName()).isNotEmpty();
            assertThat(r.out()).contains(option.longestName());
        }
    }

    @Test
    void everyOptionOfEveryCommandIsDescribed() {
        for (CommandLine sub : Loopline.commandLine().getSubcommands().values()) {
            for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
                assertThat(option.description()).as(sub.getCommandName() + " " + option.longestName()).isNotEmpty();
            }
        }
        assertThat(Loopline.commandLine().getSubcommands()).containsKeys("demo", "kafka", "generate", "backfill", "serve", "models", "bench");
    }

    @Test
    void serveNamesAMissingProfileAndTheFix() {
        Result r = run("serve", "--spec", "transactions", "--profile", "/nonexistent/profile.json", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--profile", "/nonexistent/profile.json", "loopline backfill");
    }

    @Test
    void anUnknownSpecIsReportedWithTheBuiltInOnes() {
        Result r = run("backfill", "--spec", "nope", "--input", "x.jsonl", "--output", "out");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--spec", "'nope'", "transactions", "elec2");
    }

    @Test
    void modelsListAndShowReadAStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var store = new io.loopline.state.model.FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        var draft = new io.loopline.state.model.ModelDraft("fraud", null, "test", "transactions", java.util.List.of("a", "b"), null, null, 42,
                java.util.Map.of("auc", 0.8));
        store.publish(draft, new byte[] {1, 2, 3});
        store.publish(new io.loopline.state.model.ModelDraft("fraud", 1L, "test", "transactions", java.util.List.of("a", "b"), null, null, 43,
                java.util.Map.of("auc", 0.85)), new byte[] {4});

        Result list = run("models", "list", "--store", dir.toString());
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("fraud", "{auc=0.8}", "{auc=0.85}");
        Result show = run("models", "show", "--store", dir.toString(), "fraud");
        assertThat(show.exit()).isZero();
        assertThat(show.out()).contains("\"version\" : 2", "\"parent\" : 1", "\"sha256\"", "artifact: ");
        Result missing = run("models", "show", "--store", dir.toString(), "fraud", "--version", "9");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no version 9 of model 'fraud'");
    }

    @Test
    void aBadDurationNamesTheOptionAndTheFormat() {
        Result r = run("demo", "--checkpoint-interval", "soon");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--checkpoint-interval: must be a duration (e.g. 500ms, 5s, 30min), got 'soon'");
    }

    @Test
    void anInvalidSettingIsReportedByName() {
        Result r = run("demo", "--parallelism", "0", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--parallelism must be >= 1");
    }

    @Test
    void aLatencyRunTooShortToSampleIsRefusedBeforeAnythingStarts() {
        Result r = run("bench", "serving", "--latency-duration", "5s", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--latency-duration must be >= 8s");
    }

    @Test
    void aTrainerSettingIsReportedUnderTheFlagTheUserTyped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String[] learn = {"learn", "--profile", dir.resolve("profile.json").toString(), "--bootstrap-servers", "127.0.0.1:1", "--retrain", "stateful"};
        Result tooSmall = run(with(learn, "--buffer-size", "1"));
        assertThat(tooSmall.exit()).isNotZero();
        assertThat(tooSmall.err().lines().findFirst()).as("the error, before the usage").hasValue("--buffer-size: must be at least 2, got 1");
        Result notANumber = run(with(learn, "--buffer-size", "lots"));
        assertThat(notANumber.err()).contains("--buffer-size: must be an integer, got 'lots'");
        Result off = run(with(learn, "--decay-margin", "never"));
        assertThat(off.err()).contains("--decay-margin: must be a number or off, got 'never'");
        Result mode = run("learn", "--profile", dir.resolve("profile.json").toString(), "--bootstrap-servers", "127.0.0.1:1", "--retrain", "sometimes");
        assertThat(mode.err()).contains("--retrain: 'sometimes' is not off, stateful, stateless or online");

        java.nio.file.Path data = java.nio.file.Files.writeString(dir.resolve("rows.csv"), "a,label\n1,0\n");
        Result evaluate = run("evaluate", "--data", data.toString(), "--spec", "transactions", "--label-column", "label", "--policy", "online",
                "--online-batch-size", "65");
        assertThat(evaluate.exit()).isNotZero();
        assertThat(evaluate.err()).contains("--online-batch-size: must be at most 64, got 65");

        String[] train = {"train", "--spec", "transactions", "--backfill", dir.toString(), "--store", dir.resolve("models").toString(), "--name", "fraud"};
        Result noEpochs = run(with(train, "--epochs", "0"));
        assertThat(noEpochs.exit()).isNotZero();
        assertThat(noEpochs.err()).contains("--epochs: must be at least 1, got 0");
        assertThat(run(with(train, "--activation", "sparkly")).err()).contains("--activation: 'sparkly' is not a DL4J activation");
        assertThat(run(with(train, "--validation-fraction", "1")).err()).contains("--validation-fraction: must be above 0.0 and below 1.0, got 1.0");
    }

    @Test
    void eachCommandsHelpShowsTheKeyAndTheDefaultItUses() {
        Result learn = run("learn", "--help");
        assertThat(learn.out().replaceAll("\\s+", "")).contains("--buffer-size").contains("keyretrain.buffer-size;default:20000")
                .contains("keyonline.publish-every;default:1min").contains("keygroup.id;default:loopline-learning");
        Result serve = run("serve", "--help");
        assertThat(serve.out().replaceAll("\\s+", "")).contains("keyscoring.batch-size;default:256")
                .contains("keygroup.id;default:loopline-serving");
        Result evaluate = run("evaluate", "--help");
        assertThat(evaluate.out().replaceAll("\\s+", "")).contains("keyretrain.buffer-size;default:5000")
                .contains("keyonline.publish-every;default:0s").contains("keyretrain.cooldown-examples;default:500");
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void benchLearningHasAnEventTimeGapByDefaultAndTakesOne() {
        assertThat(gapOfBenchLearning("bench", "learning")).as("a missing --gap left null once, and the command failed before it started")
                .isEqualTo(java.time.Duration.ofMillis(10));
        assertThat(gapOfBenchLearning("bench", "learning", "--gap", "25ms")).isEqualTo(java.time.Duration.ofMillis(25));
    }

    private static java.time.Duration gapOfBenchLearning(String... args) {
        CommandLine cli = Loopline.commandLine();
        cli.parseArgs(args);
        BenchCommand.Learning command = cli.getSubcommands().get("bench").getSubcommands().get("learning").getCommand();
        return command.gap;
    }
}
