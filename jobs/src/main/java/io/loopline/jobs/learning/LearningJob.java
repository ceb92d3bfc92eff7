package io.loopline.jobs.learning;

import io.loopline.state.serialization.LabelSerializer;
import io.loopline.state.serialization.LabeledPredictionSerializer;
import io.loopline.state.serialization.MonitoringReportSerializer;
import io.loopline.state.serialization.RawEventSerializer;
import io.loopline.state.serialization.ServedFeaturesSerializer;
import io.loopline.state.serialization.WindowHistogramsSerializer;
import io.loopline.operators.drift.DriftWindowStatistics;
import io.loopline.operators.drift.PartialHistograms;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.operators.learning.JsonRecordTime;
import io.loopline.operators.learning.LabelJoin;
import io.loopline.operators.learning.OnlineEvaluation;
import io.loopline.operators.learning.ParseLabels;
import io.loopline.operators.learning.ParseServedFeatures;
import io.loopline.operators.retraining.ContinualTrainer;
import io.loopline.operators.retraining.ModelAnnouncer;
import io.loopline.operators.retraining.OnlineTrainer;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Label;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.RawEvent;
import io.loopline.state.records.ServedFeatures;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The monitoring half of the loop, STREAMING: the feature log (what was served) is joined with the
 * late labels by event id within the feedback window; the joined examples are evaluated per model
 * version (rolling metrics, change detectors on the error stream); and the feature log's features
 * and scores are compared with the reference profile per event-time window. With
 * {@link Settings#withRetraining}, a {@link ContinualTrainer} learns from the joined examples and
 * promotes better challengers through the model store and the {@code models} topic. Everything goes to the
 * {@code drift} topic and to Flink metrics; unreadable records and rejected labels to dead letters.
 */
public final class LearningJob {
    public static final String JOB_NAME = "Loopline Learning";

    /**
     * @param feedbackWindow how long after an event (event time) its label may arrive
     * @param defaultLabel applied when no label arrives in time ("no chargeback = 0"); NaN for none
     * @param outOfOrderness how far feature-log and label times may run behind the latest seen
     * @param evaluationWindow labelled examples per rolling evaluation window
     * @param evaluationSlide report every this many examples
     * @param driftWindow event-time window of the drift statistics and of the time-based evaluation
     * @param labelsIdleAfter how long (processing time) a labels subtask may send nothing before event time goes on without it
     */
    public record Settings(ReferenceBins reference, Duration feedbackWindow, double defaultLabel, Duration outOfOrderness, int evaluationWindow,
            int evaluationSlide, Duration driftWindow, int maxParallelism, io.loopline.operators.scoring.ModelStoreSupplier models,
            io.loopline.operators.learning.Slices slices, Retraining retraining, Duration labelsIdleAfter) {
        public Settings {
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(labelsIdleAfter, "labelsIdleAfter");
            if (labelsIdleAfter.isNegative() || labelsIdleAfter.isZero()) {
                throw new IllegalArgumentException("labels idle-after must be positive, got " + labelsIdleAfter);
            }
            if (retraining != null && models == null) {
                throw new IllegalArgumentException("--model-store is required for retraining (the champion and its challengers live there)");
            }
        }

        /**
         * The settings that {@link io.loopline.jobs.config.LearningOptions} and {@code max-parallelism} describe: what
         * the job's main and {@code loopline learn} both run. A value that cannot be used names its key
         * ({@link io.loopline.operators.config.InvalidOptionException}).
         */
        public static Settings from(org.apache.flink.configuration.ReadableConfig config, ReferenceBins reference,
                io.loopline.operators.scoring.ModelStoreSupplier models, io.loopline.operators.learning.Slices slices) {
            var read = new io.loopline.operators.config.OptionReader(config);
            Double defaultLabel = config.get(io.loopline.jobs.config.LearningOptions.DEFAULT_LABEL);
            return new Settings(reference, read.nonNegative(io.loopline.jobs.config.LearningOptions.FEEDBACK_WINDOW),
                    defaultLabel == null ? Double.NaN : defaultLabel, read.nonNegative(io.loopline.jobs.config.LearningOptions.OUT_OF_ORDERNESS),
                    read.atLeast(io.loopline.jobs.config.LearningOptions.EVALUATION_WINDOW, 1),
                    read.atLeast(io.loopline.jobs.config.LearningOptions.EVALUATION_SLIDE, 1),
                    read.positive(io.loopline.jobs.config.LearningOptions.DRIFT_WINDOW),
                    read.atLeast(io.loopline.jobs.config.ServingOptions.MAX_PARALLELISM, 1), models, slices, null,
                    read.positive(io.loopline.jobs.config.LearningOptions.LABELS_IDLE_AFTER));
        }

        /** The same, and a continual trainer that retrains, gates, publishes and announces challengers. */
        public Settings withRetraining(Retraining value) {
            return new Settings(reference, feedbackWindow, defaultLabel, outOfOrderness, evaluationWindow, evaluationSlide, driftWindow, maxParallelism,
                    models, slices, value, labelsIdleAfter);
        }

        /** The same, with labels that may pause {@code value} before the join's event time goes on without them. */
        public Settings withLabelsIdleAfter(Duration value) {
            return new Settings(reference, feedbackWindow, defaultLabel, outOfOrderness, evaluationWindow, evaluationSlide, driftWindow, maxParallelism,
                    models, slices, retraining, value);
        }
    }

    /** What the continual trainer does and how it tells serving about a promoted version. */
    public record Retraining(TrainerSettings trainer, ModelAnnouncer announcer) {
        public Retraining {
            Objects.requireNonNull(trainer, "trainer");
            Objects.requireNonNull(announcer, "announcer");
        }
    }

    private final Source<RawEvent, ?, ?> featureLog;
    private final Source<RawEvent, ?, ?> labels;
    private final Sink<MonitoringReport> drift;
    private final Sink<DeadLetter> deadLetters;
    private final Settings settings;
    private Source<RawEvent, ?, ?> shadowLog;

    public LearningJob(Source<RawEvent, ?, ?> featureLog, Source<RawEvent, ?, ?> labels, Sink<MonitoringReport> drift, Sink<DeadLetter> deadLetters,
            Settings settings) {
        this.featureLog = featureLog;
        this.labels = labels;
        this.drift = drift;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    /**
     * Also evaluates shadow trials: the serving job's shadow log (what a shadow version scored, never
     * served) is joined with the same labels and evaluated per version, reported with subject
     * {@code shadow} and exported as {@code loopline_shadow_*} metrics.
     */
    public LearningJob withShadowLog(Source<RawEvent, ?, ?> shadowLog) {
        this.shadowLog = shadowLog;
        return this;
    }

    public void build(StreamExecutionEnvironment env) {
        env.setMaxParallelism(settings.maxParallelism());
        SingleOutputStreamOperator<ServedFeatures> served = env
                .fromSource(featureLog, featureLogTime(settings), "Feature Log")
                .uid("feature-log-source")
                .returns(RawEventSerializer.TYPE_INFO)
                .process(new ParseServedFeatures())
                .returns(ServedFeaturesSerializer.TYPE_INFO)
                .uid("parse-feature-log")
                .name("Parse Feature Log");
        SingleOutputStreamOperator<Label> parsedLabels = env
                .fromSource(labels, labelsTime(settings), "Labels")
                .uid("labels-source")
                .returns(RawEventSerializer.TYPE_INFO)
                .process(new ParseLabels())
                .returns(LabelSerializer.TYPE_INFO)
                .uid("parse-labels")
                .name("Parse Labels");
        SingleOutputStreamOperator<ServedFeatures> shadow = null;
        if (shadowLog != null) {
            shadow = env
                    .fromSource(shadowLog, featureLogTime(settings), "Shadow Log")
                    .uid("shadow-log-source")
                    .returns(RawEventSerializer.TYPE_INFO)
                    .process(new ParseServedFeatures())
                    .returns(ServedFeaturesSerializer.TYPE_INFO)
                    .uid("parse-shadow-log")
                    .name("Parse Shadow Log");
        }
        Monitoring monitoring = monitorOnEventTime(served, parsedLabels, shadow, settings);
        DataStream<DeadLetter> bad = served.getSideOutput(ParseServedFeatures.DEAD_LETTERS)
                .union(parsedLabels.getSideOutput(ParseLabels.DEAD_LETTERS), monitoring.rejectedLabels());
        if (shadow != null) {
            bad = bad.union(shadow.getSideOutput(ParseServedFeatures.DEAD_LETTERS));
        }
        monitoring.reports()
                .sinkTo(drift)
                .uid("drift-sink")
                .name("Drift");
        bad
                .sinkTo(deadLetters)
                .uid("learning-dead-letters-sink")
                .name("Learning Dead Letters");
    }

    /** What the monitoring topology produces: reports for the drift topic, and labels it rejected. */
    public record Monitoring(DataStream<MonitoringReport> reports, DataStream<DeadLetter> rejectedLabels) {}

    /**
     * The topology after decoding, for benchmarks that generate records directly: event time, label
     * join, evaluation and drift statistics.
     */
    public static Monitoring monitor(DataStream<ServedFeatures> served, DataStream<Label> parsedLabels, Settings settings) {
        return monitor(served, parsedLabels, null, settings);
    }

    /**
     * The same, and with {@code shadow} (the shadow log, or null) a shadow trial's evaluation: in
     * the reports, and given to the continual trainer, whose gate may wait for a shadow's live verdict.
     * Event time is assigned here, per subtask; the job itself assigns it in its Kafka sources, per
     * partition ({@link #featureLogTime}, {@link #labelsTime}).
     */
    public static Monitoring monitor(DataStream<ServedFeatures> served, DataStream<Label> parsedLabels, DataStream<ServedFeatures> shadow,
            Settings settings) {
        return monitorOnEventTime(onEventTime(served, settings, "feature-log-watermarks", "Feature Log Watermarks"),
                labelsOnEventTime(parsedLabels, settings, "labels-watermarks", "Label Watermarks"),
                shadow == null ? null : onEventTime(shadow, settings, "shadow-log-watermarks", "Shadow Log Watermarks"), settings);
    }

    /**
     * The feature log's (and shadow log's) event time, assigned in the source from each record's
     * {@code timestamp}: one watermark per Kafka partition, so a partition read ahead of another
     * (after a restart, or while catching up) cannot close windows whose predictions the other still
     * holds. No idleness: while the feature log is quiet (at start, or behind), the labels alone must
     * not move the join's event time on, or labels would be declared unknown before their predictions arrive.
     */
    public static WatermarkStrategy<RawEvent> featureLogTime(Settings settings) {
        return WatermarkStrategy.<RawEvent>forBoundedOutOfOrderness(settings.outOfOrderness())
                .withTimestampAssigner(new JsonRecordTime("timestamp"));
    }

    /**
     * The labels' event time, per partition as {@link #featureLogTime}. The labels hold the join's
     * event time too: when the job starts or catches up, the feature log can be read far ahead of the
     * labels, and its time alone would close every window before its labels were read. Labels are
     * sparse and bursty, so a labels partition that sends nothing for {@code labelsIdleAfter} stops
     * holding the join back until it sends again.
     */
    public static WatermarkStrategy<RawEvent> labelsTime(Settings settings) {
        return WatermarkStrategy.<RawEvent>forBoundedOutOfOrderness(settings.outOfOrderness())
                .withTimestampAssigner(new JsonRecordTime("timestamp"))
                .withIdleness(settings.labelsIdleAfter());
    }

    /** The topology on streams that already carry event time and watermarks. */
    private static Monitoring monitorOnEventTime(DataStream<ServedFeatures> timedServed, DataStream<Label> timedLabels,
            DataStream<ServedFeatures> timedShadow, Settings settings) {
        SingleOutputStreamOperator<LabeledPrediction> joined = timedServed.keyBy(s -> s.features().eventId(), Types.STRING)
                .connect(timedLabels.keyBy(Label::eventId, Types.STRING))
                .process(new LabelJoin(settings.feedbackWindow(), settings.defaultLabel()))
                .returns(LabeledPredictionSerializer.TYPE_INFO)
                .uid("label-join")
                .name("Label Join");

        DataStream<MonitoringReport> evaluation = joined.keyBy(p -> p.served().modelVersion(), Types.LONG)
                .transform("Online Evaluation", MonitoringReportSerializer.TYPE_INFO, new OnlineEvaluation(settings.evaluationWindow(), settings.evaluationSlide())
                        .withReferenceLabels(settings.reference().labelCounts()).withModelStore(settings.models())
                        .withTimeWindow(settings.driftWindow()))
                .uid("online-evaluation");

        DataStream<MonitoringReport> windowDrift = timedServed
                .transform("Partial Histograms", WindowHistogramsSerializer.TYPE_INFO, new PartialHistograms(settings.reference(), settings.driftWindow()))
                .uid("partial-histograms")
                .keyBy(h -> 0, Types.INT)
                .process(new DriftWindowStatistics(settings.reference()))
                .returns(MonitoringReportSerializer.TYPE_INFO)
                .uid("drift-statistics")
                .name("Drift Statistics");

        DataStream<MonitoringReport> reports = evaluation.union(windowDrift);
        DataStream<MonitoringReport> shadowEvaluation = timedShadow == null ? null : evaluateShadow(timedShadow, timedLabels, settings);
        if (shadowEvaluation != null) {
            reports = reports.union(shadowEvaluation);
        }
        if (settings.slices() != null) {
            var slices = settings.slices();
            reports = reports.union(joined.keyBy(p -> OnlineEvaluation.sliceKey(p, slices), Types.STRING)
                    .transform("Slice Evaluation", MonitoringReportSerializer.TYPE_INFO,
                            new OnlineEvaluation(settings.evaluationWindow(), settings.evaluationSlide()).perSlice(slices)
                                    .withTimeWindow(settings.driftWindow()))
                    .uid("slice-evaluation"));
        }
        if (settings.retraining() != null && settings.retraining().trainer().mode() == TrainingMode.ONLINE) {
            // The champion itself learns from every labelled mini-batch, in the order the join emits them: one learner, keyed by a constant.
            reports = reports.union(joined.keyBy(p -> OnlineTrainer.KEY, Types.INT)
                    .connect(evaluation.keyBy(r -> OnlineTrainer.KEY, Types.INT))
                    .transform("Online Trainer", MonitoringReportSerializer.TYPE_INFO,
                            new OnlineTrainer(settings.retraining().trainer(), settings.models(), settings.retraining().announcer()))
                    .uid("online-trainer")
                    .setParallelism(1));
        } else if (settings.retraining() != null) {
            // One trainer for the whole stream: both inputs keyed by a constant so its buffer and challenger live in keyed (RocksDB) state.
            reports = reports.union(joined.keyBy(p -> ContinualTrainer.KEY, Types.INT)
                    .connect((shadowEvaluation == null ? evaluation : evaluation.union(shadowEvaluation)).keyBy(r -> ContinualTrainer.KEY, Types.INT))
                    .transform("Continual Trainer", MonitoringReportSerializer.TYPE_INFO,
                            new ContinualTrainer(settings.retraining().trainer(), settings.models(), settings.retraining().announcer()))
                    .uid("continual-trainer")
                    .setParallelism(1));
        }
        return new Monitoring(reports, joined.getSideOutput(LabelJoin.REJECTED_LABELS));
    }

    /**
     * Entry point for {@code flink run -c io.loopline.jobs.learning.LearningJob loopline-jobs-job.jar --config learning.properties}
     * (deploy/jobs/learning.properties).
     */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LearningJobFromConfig.build(io.loopline.jobs.config.JobConfig.fromArgs(args, env.getConfiguration()), env);
        env.execute(JOB_NAME);
    }

    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(JOB_NAME);
    }

    /** The shadow log joined with the labels and evaluated per shadow version, on the shadow log's event time. */
    private static DataStream<MonitoringReport> evaluateShadow(DataStream<ServedFeatures> timedShadow, DataStream<Label> timedLabels, Settings settings) {
        return timedShadow.keyBy(s -> s.features().eventId(), Types.STRING)
                .connect(timedLabels.keyBy(Label::eventId, Types.STRING))
                .process(new LabelJoin(settings.feedbackWindow(), settings.defaultLabel()).forShadow())
                .returns(LabeledPredictionSerializer.TYPE_INFO)
                .uid("shadow-label-join")
                .name("Shadow Label Join")
                .keyBy(p -> p.served().modelVersion(), Types.LONG)
                .transform("Shadow Evaluation", MonitoringReportSerializer.TYPE_INFO, new OnlineEvaluation(settings.evaluationWindow(), settings.evaluationSlide())
                        .forShadow().withTimeWindow(settings.driftWindow()))
                .uid("shadow-evaluation");
    }

    /** Served features on their event time, up to the configured out-of-orderness. */
    private static DataStream<ServedFeatures> onEventTime(DataStream<ServedFeatures> served, Settings settings, String uid, String name) {
        return served.assignTimestampsAndWatermarks(WatermarkStrategy
                        .<ServedFeatures>forBoundedOutOfOrderness(settings.outOfOrderness())
                        .withTimestampAssigner((s, t) -> s.features().timestamp()))
                .uid(uid)
                .name(name);
    }

    /** Labels on their own timestamps, up to the out-of-orderness; idle after {@code labelsIdleAfter} without one. */
    private static DataStream<Label> labelsOnEventTime(DataStream<Label> labels, Settings settings, String uid, String name) {
        return labels.assignTimestampsAndWatermarks(WatermarkStrategy
                        .<Label>forBoundedOutOfOrderness(settings.outOfOrderness())
                        .withTimestampAssigner((l, t) -> l.timestamp())
                        .withIdleness(settings.labelsIdleAfter()))
                .uid(uid)
                .name(name);
    }
}
