package io.loopline.jobs.backfill;

import io.loopline.state.serialization.EventSerializer;
import io.loopline.state.serialization.RawEventSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.io.DeadLetterLines;
import io.loopline.io.EventSources;
import io.loopline.io.TrainingSetCsv;
import io.loopline.jobs.ProgressCounters;
import io.loopline.operators.decode.DecodeEvents;
import io.loopline.operators.decode.EventDecoder;
import io.loopline.operators.features.FeaturePipeline;
import io.loopline.operators.features.FitAccumulator;
import io.loopline.operators.features.FitPartials;
import io.loopline.operators.features.ProfileAccumulator;
import io.loopline.operators.features.ProfilePartials;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.RawEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.CloseableIterator;

/**
 * The backfill: the feature pipeline in Flink BATCH mode over bounded history, producing a
 * point-in-time correct training set and the reference profile.
 *
 * <p>Two passes over the same input. Pass 1 learns the {@link FeatureFit} (imputation means,
 * standardization, vocabularies) from the rows. Pass 2 transforms with it and writes {@code
 * training/part-*.csv}, {@code dead-letters/part-*.jsonl} and, from the vectors it wrote, {@code
 * profile.json} (fit + per-column statistics and quantile bins + categorical frequencies + label
 * prior). Optionally, {@code savepoint/} holds the feature operator's keyed state as of the end of
 * history, so a serving job started from it has no cold start. {@code _SUCCESS} marks a complete
 * output. The serving job loads the same fit from the
 * profile, so its features equal the training set's.
 */
public final class BackfillJob {
    public static final String TRAINING_DIR = "training";
    public static final String DEAD_LETTER_DIR = "dead-letters";
    public static final String PROFILE_FILE = "profile.json";
    public static final String SUCCESS_FILE = "_SUCCESS";
    public static final String SAVEPOINT_DIR = "savepoint";
    private static final long MAX_PART_BYTES = 256L << 20;
    private static final int TOP_CATEGORIES = 1000;

    /**
     * @param parallelism parallel tasks of both passes
     * @param maxParallelism key groups; a savepoint only restores into a job with the same value
     * @param writeSavepoint also write the feature state at the end of history as a savepoint
     */
    public record Settings(int parallelism, int maxParallelism, int bins, boolean overwrite, boolean writeSavepoint) {
        public Settings(int parallelism, int maxParallelism, int bins, boolean overwrite) {
            this(parallelism, maxParallelism, bins, overwrite, false);
        }

        public Settings {
            if (parallelism < 1) {
                throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
            }
            if (bins < 2 || bins > 1000) {
                throw new IllegalArgumentException("--bins must be in [2, 1000], got " + bins);
            }
        }
    }

    /** What the backfill produced; {@code savepoint} is null unless one was asked for. */
    public record Result(Path output, long rows, long deadLetters, FeatureFit fit, long firstEventTime, long lastEventTime, double seconds,
            Path savepoint) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EventSources.BoundedInput input;
    private final FeatureSpec spec;
    private final Path output;
    private final Settings settings;

    public BackfillJob(EventSources.BoundedInput input, FeatureSpec spec, Path output, Settings settings) {
        this.input = input;
        this.spec = spec;
        this.output = output;
        this.settings = settings;
    }

    /**
     * Entry point for {@code flink run -c io.loopline.jobs.backfill.BackfillJob loopline-jobs-job.jar --config backfill.properties}
     * (deploy/jobs/backfill.properties): both passes run on the cluster; the client merges their statistics into the profile.
     */
    public static void main(String[] args) throws Exception {
        // Loopline's keys may also come from the cluster's configuration (config.yaml, flink run -Dkey=value).
        var cluster = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration();
        BackfillJobFromConfig.run(io.loopline.jobs.config.JobConfig.fromArgs(args, cluster), System.out);
    }

    public Result run(BackfillProgress progress) throws Exception {
        long start = System.nanoTime();
        prepareOutput();
        FitAccumulator learned = fitPass(progress);
        FeatureFit fit = learned.result();
        ProfileAccumulator profile = writePass(fit, progress);
        long deadLetters = countLines(new Path(output, DEAD_LETTER_DIR));
        writeProfile(fit, learned.categoryFrequencies(TOP_CATEGORIES), profile, deadLetters);
        try (OutputStream marker = output.getFileSystem().create(new Path(output, SUCCESS_FILE), FileSystem.WriteMode.OVERWRITE)) {
            marker.write(new byte[0]);
        }
        return new Result(output, profile.rows(), deadLetters, fit, profile.firstTime(), profile.lastTime(), (System.nanoTime() - start) / 1e9,
                settings.writeSavepoint() ? new Path(output, SAVEPOINT_DIR) : null);
    }

    /** The batch environment both passes run in; {@code configure} hooks are for tests and benchmarks. */
    public static Configuration batchConfiguration(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Every Loopline record is immutable (or copied by its serializer), so chained operators may share them.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        ProgressCounters.reportingTo(conf);
        return conf;
    }

    private StreamExecutionEnvironment environment(boolean writesSavepoint) {
        Configuration conf = batchConfiguration(settings.parallelism());
        if (writesSavepoint) {
            // Flink's State Processor API ships its own internal records (TaggedOperatorSubtaskState)
            // as generic types. Loopline's records keep their explicit serializers either way.
            conf.set(PipelineOptions.GENERIC_TYPES, true);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(settings.parallelism());
        env.setMaxParallelism(settings.maxParallelism());
        return env;
    }

    private SingleOutputStreamOperator<Event> decoded(StreamExecutionEnvironment env) {
        return env.fromSource(input.source(), WatermarkStrategy.<RawEvent>noWatermarks(), "History")
                .uid("history-source")
                .returns(RawEventSerializer.TYPE_INFO)
                .process(new DecodeEvents(new EventDecoder(spec.schema())))
                .returns(EventSerializer.TYPE_INFO)
                .uid("decode-events")
                .name("Decode Events");
    }

    private FitAccumulator fitPass(BackfillProgress progress) throws Exception {
        StreamExecutionEnvironment env = environment(false);
        FeaturePipeline pipeline = new FeaturePipeline(spec);
        DataStream<String> partials = pipeline.aggregate(decoded(env)).rows()
                .fullWindowPartition()
                .mapPartition(new FitPartials(spec))
                .returns(Types.STRING)
                .name("Fit Statistics");
        String jobName = "Loopline Backfill fit " + Long.toHexString(System.nanoTime());
        List<String> collected = new ArrayList<>();
        try (var reporting = report(progress, "pass 1/2 (fit)", jobName);
                CloseableIterator<String> results = partials.executeAndCollect(jobName)) {
            results.forEachRemaining(collected::add);
        }
        // Partials arrive in whatever order tasks finish; merging in a fixed order makes the
        // floating-point result, and so every standardized feature, the same on every run.
        collected.sort(null);
        FitAccumulator merged = new FitAccumulator(spec);
        collected.forEach(json -> merged.merge(FitAccumulator.fromJson(spec, json)));
        return merged;
    }

    private ProfileAccumulator writePass(FeatureFit fit, BackfillProgress progress) throws Exception {
        StreamExecutionEnvironment env = environment(settings.writeSavepoint());
        FeaturePipeline pipeline = new FeaturePipeline(spec);
        SingleOutputStreamOperator<Event> events = decoded(env);
        FeaturePipeline.Aggregated aggregated = pipeline.aggregate(events);
        DataStream<FeatureVector> vectors = pipeline.transform(aggregated.rows(), fit);

        vectors.sinkTo(FileSink.forBulkFormat(new Path(output, TRAINING_DIR), new TrainingSetCsv(spec.columnNames()))
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(new PartSizeRollingPolicy<>(MAX_PART_BYTES))
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".csv").build())
                        .build())
                .uid("training-set-sink")
                .name("Training Set");
        DataStream<DeadLetter> deadLetters = events.getSideOutput(DecodeEvents.DEAD_LETTERS).union(aggregated.lateEvents());
        deadLetters.sinkTo(FileSink.forRowFormat(new Path(output, DEAD_LETTER_DIR), new DeadLetterLines())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".jsonl").build())
                        .build())
                .uid("dead-letter-sink")
                .name("Dead Letters");
        if (settings.writeSavepoint()) {
            pipeline.writeSavepoint(env, aggregated, settings.maxParallelism(), new Path(output, SAVEPOINT_DIR).toString());
        }
        DataStream<String> partials = vectors.fullWindowPartition()
                .mapPartition(new ProfilePartials(spec))
                .returns(Types.STRING)
                .name("Profile Statistics");

        String jobName = "Loopline Backfill write " + Long.toHexString(System.nanoTime());
        List<String> collected = new ArrayList<>();
        try (var reporting = report(progress, "pass 2/2 (write)", jobName);
                CloseableIterator<String> results = partials.executeAndCollect(jobName)) {
            results.forEachRemaining(collected::add);
        }
        collected.sort(null);
        ProfileAccumulator merged = new ProfileAccumulator(spec);
        collected.forEach(json -> merged.merge(ProfileAccumulator.fromJson(spec, json)));
        return merged;
    }

    /** Prints progress every second from the job's Flink counters until closed. */
    private AutoCloseable report(BackfillProgress progress, String pass, String jobName) {
        long start = System.nanoTime();
        long expected = input.expectedEvents().orElse(-1);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loopline-backfill-progress");
            t.setDaemon(true);
            return t;
        });
        Runnable update = () -> progress.update(pass,
                ProgressCounters.sum(jobName, "events_decoded") + ProgressCounters.sum(jobName, "events_dead_lettered"),
                (System.nanoTime() - start) / 1e9, expected);
        timer.scheduleAtFixedRate(update, 1, 1, TimeUnit.SECONDS);
        return () -> {
            timer.shutdownNow();
            update.run();
            ProgressCounters.forget(jobName);
        };
    }

    private void prepareOutput() throws IOException {
        FileSystem fs = output.getFileSystem();
        if (fs.exists(output)) {
            FileStatus[] existing = fs.listStatus(output);
            if (existing != null && existing.length > 0) {
                if (!settings.overwrite()) {
                    throw new IllegalArgumentException("--output: " + output + " is not empty; choose another folder or pass --overwrite");
                }
                fs.delete(output, true);
            }
        }
        fs.mkdirs(output);
    }

    private void writeProfile(FeatureFit fit, Map<String, Map<String, Long>> categoryFrequencies, ProfileAccumulator profile,
            long deadLetters) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", 1);
        root.put("spec", spec.name());
        root.put("createdAt", Instant.now().toString());
        root.put("input", input.description());
        root.put("rows", profile.rows());
        root.put("deadLetters", deadLetters);
        ObjectNode range = root.putObject("eventTimeRange");
        range.put("from", profile.rows() == 0 ? null : Instant.ofEpochMilli(profile.firstTime()).toString());
        range.put("to", profile.rows() == 0 ? null : Instant.ofEpochMilli(profile.lastTime()).toString());
        root.put("dimension", spec.dimension());
        var columns = root.putArray("columns");
        spec.columnNames().forEach(columns::add);
        fit.toJson(root.putObject("fit"));
        root.put("bins", settings.bins());
        profile.writeTo(root, settings.bins());
        ObjectNode categorical = root.putObject("categorical");
        categoryFrequencies.forEach((field, counts) -> {
            ObjectNode c = categorical.putObject(field);
            counts.forEach(c::put);
        });
        try (OutputStream out = output.getFileSystem().create(new Path(output, PROFILE_FILE), FileSystem.WriteMode.OVERWRITE)) {
            JSON.writeValue(out, root);
        }
    }

    private static long countLines(Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return 0;
        }
        List<Path> files = new ArrayList<>();
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (!status.isDir() && !name.startsWith(".")) {
                files.add(status.getPath());
            }
        }
        long lines = 0;
        for (Path file : files) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                while (reader.readLine() != null) {
                    lines++;
                }
            }
        }
        return lines;
    }
}
