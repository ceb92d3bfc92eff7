package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.kafka.KafkaTopics;
import io.loopline.replay.FileReplay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = "Replays a labelled CSV or JSON-lines file as a live stream: each row (without its label) to the events topic,"
                + " its label to the labels topic {eventId, label, timestamp} after --label-delay more rows or --label-delay-time of event time.",
        sortOptions = false)
final class ReplayCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--data", required = true, description = "The file, rows in time order.")
    Path data;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Option(names = "--label-column", description = "The label's column (default: the spec's label field).")
    String labelColumn;

    @Option(names = "--label-delay", defaultValue = "0", description = "Send a row's label after this many more rows (default: ${DEFAULT-VALUE}).")
    int labelDelay;

    @Option(names = "--label-delay-time", description = "Or: once the stream's event time is this far past the row (e.g. 1h).")
    Duration labelDelayTime;

    @Option(names = "--from-row", defaultValue = "1", description = "First data row to send, 1-based (default: ${DEFAULT-VALUE}).")
    long fromRow;

    @Option(names = "--to-row", defaultValue = "" + Long.MAX_VALUE, description = "Last data row to send (default: the end).")
    long toRow;

    @Option(names = "--rate", defaultValue = "0", description = "Rows per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.REPLAY, new Configuration());
        String spec = conf.get(ServingOptions.SPEC);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String eventsTopic = conf.get(KafkaOptions.EVENTS);
        String labelsTopic = conf.get(KafkaOptions.LABELS);
        var featureSpec = SpecLoader.load(spec);
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(eventsTopic, 1);
        topics.put(labelsTopic, 1);
        io.loopline.kafka.KafkaConnection kafka = kafkaOptions.connection(bootstrapServers);
        KafkaTopics.ensure(kafka, topics, Duration.ofSeconds(30));
        var replay = new FileReplay(featureSpec, data, labelColumn).rows(fromRow, toRow).labelDelayRows(labelDelay).rate(rate);
        if (labelDelayTime != null) {
            replay.labelDelay(labelDelayTime);
        }
        FileReplay.Result r = replay.run(kafka, eventsTopic, labelsTopic);
        System.out.printf("Replayed %,d rows to %s and %,d labels to %s in %.1f s (%,d rows did not decode and were not sent)%n", r.rows().size(),
                eventsTopic, r.labels(), labelsTopic, r.seconds(), r.invalid());
        return 0;
    }
}
