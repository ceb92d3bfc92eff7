package io.loopline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loopline} command. */
@Command(
        name = "loopline",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Online prediction and continual learning on Apache Flink and Apache Kafka.",
        subcommands = {DemoCommand.class, KafkaCommand.class, GenerateCommand.class, BackfillCommand.class, ServeCommand.class, TrainCommand.class, ModelsCommand.class, BenchCommand.class, DriftCommand.class, LearnCommand.class, ReplayCommand.class, DeadLettersCommand.class, EvaluateCommand.class, ClusterCommand.class, SubmitCommand.class, CommandLine.HelpCommand.class})
public final class Loopline implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Loopline());
        cli.registerConverter(java.time.Duration.class, DurationConverter::convert);
        ConfigFlags.addTo(cli.getSubcommands().get("learn").getCommandSpec(), ConfigFlags.LEARN, LearnCommand.DEFAULTS);
        ConfigFlags.addTo(cli.getSubcommands().get("serve").getCommandSpec(), ConfigFlags.SERVE, ServeCommand.DEFAULTS);
        ConfigFlags.addTo(cli.getSubcommands().get("bench").getSubcommands().get("serving").getCommandSpec(), ConfigFlags.BENCH_SERVING,
                BenchCommand.Serving.DEFAULTS);
        ConfigFlags.addTo(cli.getSubcommands().get("backfill").getCommandSpec(), ConfigFlags.BACKFILL, new org.apache.flink.configuration.Configuration());
        ConfigFlags.addTo(cli.getSubcommands().get("demo").getCommandSpec(), ConfigFlags.DEMO, DemoCommand.DEFAULTS);
        ConfigFlags.addTo(cli.getSubcommands().get("replay").getCommandSpec(), ConfigFlags.REPLAY, new org.apache.flink.configuration.Configuration());
        ConfigFlags.addTo(cli.getSubcommands().get("train").getCommandSpec(), ConfigFlags.TRAIN, new org.apache.flink.configuration.Configuration());
        ConfigFlags.addTo(cli.getSubcommands().get("evaluate").getCommandSpec(), ConfigFlags.EVALUATE, EvaluateCommand.DEFAULTS);
        ConfigFlags.addTo(cli.getSubcommands().get("submit").getCommandSpec(), ConfigFlags.SUBMIT, SubmitCommand.DEFAULTS);
        var bench = cli.getSubcommands().get("bench").getSubcommands();
        ConfigFlags.addTo(bench.get("features").getCommandSpec(), ConfigFlags.BENCH_FEATURES, BenchCommand.Features.DEFAULTS);
        ConfigFlags.addTo(bench.get("learning").getCommandSpec(), ConfigFlags.BENCH_LEARNING, BenchCommand.Learning.DEFAULTS);
        ConfigFlags.addTo(bench.get("state").getCommandSpec(), ConfigFlags.BENCH_STATE, BenchCommand.State.DEFAULTS);
        var models = cli.getSubcommands().get("models").getSubcommands();
        ConfigFlags.addTo(models.get("list").getCommandSpec(), ConfigFlags.MODELS_LIST, new org.apache.flink.configuration.Configuration());
        ConfigFlags.addTo(models.get("show").getCommandSpec(), ConfigFlags.MODELS_READ, new org.apache.flink.configuration.Configuration());
        for (String announcing : java.util.List.of("promote", "rollback")) {
            ConfigFlags.addTo(models.get(announcing).getCommandSpec(), ConfigFlags.MODELS_ANNOUNCE, new org.apache.flink.configuration.Configuration());
        }
        for (String trial : java.util.List.of("shadow", "canary", "end-trial")) {
            ConfigFlags.addTo(models.get(trial).getCommandSpec(), ConfigFlags.MODELS_TRIAL, new org.apache.flink.configuration.Configuration());
        }
        for (String deadLetters : java.util.List.of("summary", "replay")) {
            ConfigFlags.addTo(cli.getSubcommands().get("dead-letters").getSubcommands().get(deadLetters).getCommandSpec(), ConfigFlags.DEAD_LETTERS,
                    new org.apache.flink.configuration.Configuration());
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getColorScheme().errorText("loopline: " + messageOf(e)));
            if (Boolean.getBoolean("loopline.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }

    private static String messageOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
