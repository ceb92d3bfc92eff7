package io.loopline.cli;

import io.loopline.jobs.config.BackfillOptions;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.LearningOptions;
import io.loopline.jobs.config.OptionTypes;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.operators.retraining.TrainerOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.TextElement;

/** Every option of the jobs, by concern: the source of docs/configuration.md (a test fails when that file is stale). */
public final class ConfigurationReference {
    /** The option classes with the heading each has in the reference, in its order. */
    static final Map<String, Class<?>> GROUPS = groups();

    private ConfigurationReference() {}

    private static Map<String, Class<?>> groups() {
        Map<String, Class<?>> groups = new LinkedHashMap<>();
        groups.put("Kafka and topics (serving, learning)", KafkaOptions.class);
        groups.put("Serving", ServingOptions.class);
        groups.put("Learning: label join, evaluation, drift", LearningOptions.class);
        groups.put("Learning: retraining, gate, online mode", TrainerOptions.class);
        groups.put("Backfill", BackfillOptions.class);
        groups.put("Training", TrainingOptions.class);
        return groups;
    }

    static List<ConfigOption<?>> optionsOf(Class<?> holder) {
        return OptionTypes.declaredIn(holder);
    }

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration of the jobs\n\n");
        md.append("<!-- Generated from the ConfigOptions in jobs/.../jobs/config/*Options.java and\n     operators/.../retraining/TrainerOptions.java by\n");
        md.append("     ConfigurationReference; ConfigurationReferenceTest fails when this file is stale. Do not edit by hand. -->\n\n");
        md.append("The serving, learning, backfill and training jobs read these keys when submitted with `flink run ... --config FILE`.\n");
        md.append("A key's value comes from, weakest first: the cluster's configuration (its `config.yaml`, and\n");
        md.append("`flink run -Dkey=value`), the `--config` files in order (a later file overrides an earlier one: settings\n");
        md.append("from a ConfigMap, then credentials from a Secret), then the job's own `-Dkey=value` arguments. A key in a\n");
        md.append("file or `-D` that no job knows is an error that names it; so is a value of the wrong type. Every key under\n");
        md.append("`kafka.` goes unchanged to every Kafka client the job creates (e.g. `kafka.security.protocol=SASL_SSL`).\n");
        md.append("Examples: `deploy/jobs/*.properties`. The `loopline serve`, `learn`, `backfill` and `train` commands take the keys\n");
        md.append("that have a flag in the table below as that flag (`evaluate` takes the trainer's, `bench serving` the scoring\n");
        md.append("batch's): the same default, unless the command's help says otherwise, and the same checks; an error names the flag.\n");
        GROUPS.forEach((title, holder) -> {
            md.append("\n## ").append(title).append("\n\n");
            md.append("| key | `loopline` flag | type | default | description |\n|---|---|---|---|---|\n");
            for (ConfigOption<?> option : optionsOf(holder)) {
                md.append("| `").append(option.key()).append("` | ")
                        .append(ConfigFlags.flagOf(ConfigFlags.ALL, option.key()).map(flag -> "`" + flag + "`").orElse(""))
                        .append(" | ").append(OptionTypes.name(option)).append(" | ")
                        .append(option.hasDefaultValue() ? "`" + format(option.defaultValue()) + "`" : "(none)").append(" | ")
                        .append(description(option).replace("|", "\\|")).append(" |\n");
            }
        });
        md.append("\n## Flink's own settings, as flags of the commands that run jobs in their JVM\n\n");
        md.append("A job submitted to a cluster takes these from the cluster's configuration (`config.yaml`, `-Dkey=value`); `loopline serve`,\n");
        md.append("`learn`, `demo`, `evaluate` and `bench` take them as flags, each command with its own default (its `--help` shows it).\n\n");
        md.append("| Flink key | `loopline` flag | type | what it sets |\n|---|---|---|---|\n");
        for (ConfigFlags.Flag flag : ConfigFlags.FLINK) {
            md.append("| `").append(flag.option().key()).append("` | `").append(flag.name()).append("` | ").append(OptionTypes.name(flag.option()))
                    .append(" | ").append(flag.description()).append(" |\n");
        }
        return md.toString();
    }

    static String description(ConfigOption<?> option) {
        StringBuilder text = new StringBuilder();
        option.description().getBlocks().forEach(block -> {
            if (block instanceof TextElement t) {
                text.append(t.getFormat());
            }
        });
        return text.toString();
    }

    static String format(Object value) {
        if (value instanceof Duration d) {
            long millis = d.toMillis();
            if (millis == 0) {
                return "0s";
            }
            for (var unit : List.of(Map.entry(86_400_000L, "d"), Map.entry(3_600_000L, "h"), Map.entry(60_000L, "min"), Map.entry(1000L, "s"))) {
                if (millis != 0 && millis % unit.getKey() == 0) {
                    return millis / unit.getKey() + unit.getValue();
                }
            }
            return millis + "ms";
        }
        return String.valueOf(value);
    }

    /** Prints the reference: {@code java -cp ... io.loopline.cli.ConfigurationReference > docs/configuration.md}. */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
