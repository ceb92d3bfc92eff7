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
        assertThat(Loopline.commandLine().getSubcommands()).containsKeys("demo", "kafka", "generate", "backfill", "serve", "bench");
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
    void aBadDurationNamesTheOptionAndTheFormat() {
        Result r = run("demo", "--checkpoint-interval", "soon");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--checkpoint-interval", "'soon' is not a duration");
    }

    @Test
    void anInvalidSettingIsReportedByName() {
        Result r = run("demo", "--parallelism", "0", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--parallelism must be >= 1");
    }
}
