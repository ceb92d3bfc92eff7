package io.loopline.cli;

import io.loopline.kafka.DeadLetterTopic;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import io.loopline.jobs.config.KafkaOptions;
import picocli.CommandLine.Option;

@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "What is in the dead-letter topic, and replaying dead letters once their cause is fixed.",
        subcommands = {DeadLettersCommand.Summary.class, DeadLettersCommand.Replay.class},
        sortOptions = false)
final class DeadLettersCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the dead letters are: the Kafka and topic of {@link ConfigFlags#DEAD_LETTERS}, with the client settings. */
    static final class Source {
        @Mixin
        KafkaClientOptions kafkaOptions = new KafkaClientOptions();

        String topic;

        DeadLetterTopic open(picocli.CommandLine.Model.CommandSpec command) {
            var conf = ConfigFlags.read(command, ConfigFlags.DEAD_LETTERS, new org.apache.flink.configuration.Configuration());
            topic = conf.get(KafkaOptions.DEAD_LETTERS);
            return new DeadLetterTopic(kafkaOptions.connection(conf.get(KafkaOptions.BOOTSTRAP_SERVERS)), topic);
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true, description = "Counts the committed dead letters by reason and field.")
    static final class Summary implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec command;

        @Mixin
        Source source = new Source();

        @Override
        public Integer call() throws Exception {
            List<DeadLetterTopic.Letter> letters = source.open(command).readAll(Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "%,d dead letters in %s%n", letters.size(), source.topic);
            System.out.printf(Locale.ROOT, "%-24s %-24s %10s%n", "reason", "field", "count");
            DeadLetterTopic.countByReasonAndField(letters).forEach((reason, byField) -> byField.forEach((field, n) ->
                    System.out.printf(Locale.ROOT, "%-24s %-24s %,10d%n", reason, field, n)));
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Writes the original bytes of the dead letters with the given reasons back to a topic, with their original"
                    + " keys (after the fix: a schema change deployed, a producer repaired). Letters whose bytes were cut at 512 KiB are"
                    + " skipped and counted. Replaying twice sends twice; the feature operator drops repeats within its dedup window.")
    static final class Replay implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec command;

        @Mixin
        Source source = new Source();

        @Option(names = "--reason", required = true, split = ",", description = "Reasons to replay (repeatable or comma-separated), e.g. wrong-type.")
        Set<String> reasons;

        @Option(names = "--to", required = true, description = "Topic to write the original bytes to, e.g. events.")
        String target;

        @Override
        public Integer call() throws Exception {
            DeadLetterTopic topic = source.open(command);
            var r = topic.replay(topic.readAll(Duration.ofSeconds(60)), l -> reasons.contains(l.reason()), target);
            System.out.printf(Locale.ROOT, "replayed %,d of %,d dead letters with reason %s into %s", r.replayed(), r.matched(), reasons, target);
            if (r.skippedTruncated() + r.skippedWithoutBytes() > 0) {
                System.out.printf(Locale.ROOT, " (skipped: %,d with cut bytes, %,d without bytes)", r.skippedTruncated(), r.skippedWithoutBytes());
            }
            System.out.println();
            return 0;
        }
    }
}
