package io.loopline.jobs;

import io.loopline.state.serialization.EntityLabelSerializer;
import io.loopline.state.serialization.EventSerializer;
import io.loopline.state.serialization.ModelAnnouncementSerializer;
import io.loopline.state.serialization.PredictionSerializer;
import io.loopline.state.serialization.RawEventSerializer;
import io.loopline.operators.decode.DecodeEvents;
import io.loopline.operators.decode.EventDecoder;
import io.loopline.operators.features.ArrivalFeatureVectors;
import io.loopline.operators.features.FeatureAggregation;
import io.loopline.operators.features.FeaturePipeline;
import io.loopline.operators.features.ParseEntityLabels;
import io.loopline.operators.learning.JsonRecordTime;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.scoring.ModelScoringOperator;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.scoring.WithoutEventTime;
import io.loopline.state.serialization.FeatureVectorSerializer;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import io.loopline.state.records.RawEvent;
import io.loopline.state.records.ServedFeatures;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The serving path, STREAMING: raw events are decoded (bad ones to dead-letters), featurized by the
 * same {@link FeaturePipeline} the backfill runs (per-entity state in RocksDB, event time, late
 * events to dead-letters) with the backfill's fitted statistics, and written out. Each event is
 * featurized and scored as it arrives, with its point-in-time features; the watermark only decides
 * when it is folded into its entity's aggregates and when an event is too late. The job takes
 * its source and sinks as arguments, so tests run this exact topology with their own I/O.
 */
public final class ServingJob {
    public static final String JOB_NAME = "Loopline Serving";

    /** Settings of the topology itself (not of the cluster it runs on). */
    public record Settings(FeatureSpec spec, FeatureFit fit, int maxParallelism) {
        public Settings {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(fit, "fit");
            if (maxParallelism < 1 || maxParallelism > 32768) {
                throw new IllegalArgumentException("max parallelism must be in [1, 32768], got " + maxParallelism);
            }
        }
    }

    /**
     * Scoring with a hot-swapped model: announcements from {@code models} (broadcast to every
     * subtask), artifacts from the store, predictions to {@code predictions}.
     */
    public record Scoring(Source<ModelAnnouncement, ?, ?> models, Sink<Prediction> predictions, String modelName,
            ModelStoreSupplier store, int batchSize, long maxDelayMillis, int maxHeld) {
        /**
         * Scoring as the {@code scoring.*} options describe it: what the job's main and {@code loopline serve} both run.
         * A value that cannot be used names its key ({@link io.loopline.operators.config.InvalidOptionException}).
         */
        public static Scoring from(org.apache.flink.configuration.ReadableConfig config, Source<ModelAnnouncement, ?, ?> models,
                Sink<Prediction> predictions, String modelName, ModelStoreSupplier store) {
            var read = new io.loopline.operators.config.OptionReader(config);
            return new Scoring(models, predictions, modelName, store, read.atLeast(io.loopline.jobs.config.ServingOptions.SCORING_BATCH_SIZE, 1),
                    read.nonNegative(io.loopline.jobs.config.ServingOptions.SCORING_MAX_BATCH_DELAY).toMillis(),
                    read.atLeast(io.loopline.jobs.config.ServingOptions.SCORING_MAX_HELD, 0));
        }

        /** The same settings with their model announcements, predictions sink and store (checked before they were made). */
        public Scoring wiredTo(Source<ModelAnnouncement, ?, ?> announcements, Sink<Prediction> sink, ModelStoreSupplier models) {
            return new Scoring(announcements, sink, modelName, models, batchSize, maxDelayMillis, maxHeld);
        }
    }

    private final Source<RawEvent, ?, ?> events;
    private final Sink<FeatureVector> features;
    private final Sink<DeadLetter> deadLetters;
    private final Settings settings;
    /** The announcements are forwarded as they come, not kept in broadcast state (scoring keeps what it serves in its own). */
    private static final MapStateDescriptor<?, ?>[] NO_BROADCAST_STATE = {};
    private static final java.time.Duration LABELS_IDLE_AFTER = java.time.Duration.ofSeconds(30);
    private Scoring scoring;
    private Sink<ServedFeatures> featureLog;
    private Sink<ServedFeatures> shadowLog;
    private boolean constantScore;
    private Sink<Prediction> predictionTap;
    private Source<RawEvent, ?, ?> labels;

    /** @param features where feature vectors go, or null when only the feature log (with scoring) should carry them */
    public ServingJob(Source<RawEvent, ?, ?> events, Sink<FeatureVector> features, Sink<DeadLetter> deadLetters, Settings settings) {
        this.events = events;
        this.features = features;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    /** Also scores every feature vector with the announced model. */
    public ServingJob withScoring(Scoring scoring) {
        this.scoring = scoring;
        return this;
    }

    /** With scoring: also writes every served feature vector with its prediction (the training data of record). */
    public ServingJob withFeatureLog(Sink<ServedFeatures> featureLog) {
        this.featureLog = featureLog;
        return this;
    }

    /** With scoring: where a shadow trial's scores go (see {@link ModelScoringOperator#SHADOW_LOG}); without it they are dropped. */
    public ServingJob withShadowLog(Sink<ServedFeatures> shadowLog) {
        this.shadowLog = shadowLog;
        return this;
    }

    /**
     * The labels topic, read for the spec's {@code label_history} features (required when it has any):
     * each label must name its entity in the spec's entity field. Its event time is the label's {@code
     * timestamp}, one watermark per partition; a partition quiet for 30 s stops holding events back.
     */
    public ServingJob withLabels(Source<RawEvent, ?, ?> labels) {
        this.labels = labels;
        return this;
    }

    /** Benchmarks and tests: a second sink that sees every prediction as it leaves scoring, besides the predictions sink. */
    public ServingJob withPredictionTap(Sink<Prediction> tap) {
        this.predictionTap = tap;
        return this;
    }

    /**
     * Benchmarks only: scoring is replaced by a constant score (model version 0), so the cost of
     * everything but the model can be measured on the same topology.
     */
    public ServingJob withConstantScore() {
        this.constantScore = true;
        return this;
    }

    /** Adds the topology to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        env.setMaxParallelism(settings.maxParallelism());

        FeaturePipeline pipeline = new FeaturePipeline(settings.spec()).onArrival();
        // Watermarks per partition, in the source: a subtask that reads several partitions must not let one run ahead of another.
        SingleOutputStreamOperator<Event> decoded = env
                .fromSource(events, pipeline.sourceWatermarks(), "Events")
                .uid("events-source")
                .returns(RawEventSerializer.TYPE_INFO)
                .process(new DecodeEvents(new EventDecoder(settings.spec().schema())))
                .returns(EventSerializer.TYPE_INFO)
                .uid("decode-events")
                .name("Decode Events");

        if (settings.spec().hasLabelHistory()) {
            if (labels == null) {
                throw new IllegalArgumentException("spec '" + settings.spec().name() + "' has label_history features: the serving job needs the labels topic");
            }
            pipeline.withLabels(env
                    .fromSource(labels, WatermarkStrategy.<RawEvent>forMonotonousTimestamps()
                            .withTimestampAssigner(new JsonRecordTime("timestamp"))
                            .withIdleness(LABELS_IDLE_AFTER), "Labels for History")
                    .uid("label-history-source")
                    .returns(RawEventSerializer.TYPE_INFO)
                    .flatMap(new ParseEntityLabels(settings.spec().schema().entityField()))
                    .returns(EntityLabelSerializer.TYPE_INFO)
                    .uid("parse-entity-labels")
                    .name("Parse Labels"));
        }
        DataStream<DeadLetter> bad = decoded.getSideOutput(DecodeEvents.DEAD_LETTERS);
        if (scoring == null) {
            FeaturePipeline.Aggregated aggregated = pipeline.aggregateTimed(decoded);
            bad = bad.union(aggregated.lateEvents());
            if (features != null) {
                sinkFeatures(pipeline.transform(aggregated.rows(), settings.fit()));
            }
        } else {
            Scorable scorable = scorable(env, pipeline, decoded);
            bad = bad.union(scorable.lateEvents());
            if (features != null) {
                sinkFeatures(scorable.stream().flatMap(ServingJob::vectorOnly).returns(FeatureVectorSerializer.TYPE_INFO)
                        .uid("feature-vectors").name("Feature Vectors"));
            }
            SingleOutputStreamOperator<Prediction> predictions;
            if (constantScore) {
                // Same place in the topology, same input: only the model is missing.
                predictions = scorable.stream().flatMap(new ConstantScore(scoring.modelName()))
                        .returns(PredictionSerializer.TYPE_INFO)
                        .uid("constant-score")
                        .name("Constant Score (benchmark)");
            } else {
                var operator = new ModelScoringOperator(scoring.modelName(), settings.spec(), scoring.store(), scoring.batchSize(),
                        scoring.maxDelayMillis(), scoring.maxHeld());
                predictions = scorable.stream()
                        .transform("Model Scoring", PredictionSerializer.TYPE_INFO, featureLog != null ? operator.withFeatureLog() : operator)
                        .uid("model-scoring");
                bad = bad.union(predictions.getSideOutput(ModelScoringOperator.REJECTED));
                if (featureLog != null) {
                    predictions.getSideOutput(ModelScoringOperator.FEATURE_LOG)
                            .sinkTo(featureLog)
                            .uid("feature-log-sink")
                            .name("Feature Log");
                }
                if (shadowLog != null) {
                    predictions.getSideOutput(ModelScoringOperator.SHADOW_LOG)
                            .sinkTo(shadowLog)
                            .uid("shadow-log-sink")
                            .name("Shadow Log");
                }
            }
            predictions.sinkTo(scoring.predictions())
                    .uid("predictions-sink")
                    .name("Predictions");
            if (predictionTap != null) {
                predictions.sinkTo(predictionTap)
                        .uid("prediction-tap")
                        .name("Prediction Tap");
            }
        }

        bad.sinkTo(deadLetters)
                .uid("dead-letters-sink")
                .name("Dead Letters");
    }

    /** What scoring reads (vectors, and the model announcements between them), and the events too late to be featurized. */
    private record Scorable(DataStream<Either<FeatureVector, ModelAnnouncement>> stream, DataStream<DeadLetter> lateEvents) {}

    /**
     * Vectors for scoring with the model announcements in between, as one stream, so that scoring is
     * chained to the operator that computes them: features and scoring in one task, one state access
     * per event. A spec with {@code label_history} features has a second keyed step (the labels join),
     * so there the vectors and the broadcast announcements meet in a union ahead of scoring instead.
     */
    private Scorable scorable(StreamExecutionEnvironment env, FeaturePipeline pipeline, DataStream<Event> decoded) {
        DataStream<ModelAnnouncement> announcements = env
                .fromSource(scoring.models(), WithoutEventTime.strategy(), "Models")
                .uid("models-source")
                .returns(ModelAnnouncementSerializer.TYPE_INFO);
        if (!settings.spec().hasLabelHistory()) {
            SingleOutputStreamOperator<Either<FeatureVector, ModelAnnouncement>> vectors =
                    pipeline.vectorsOnArrival(decoded, announcements.broadcast(NO_BROADCAST_STATE), settings.fit());
            return new Scorable(vectors, vectors.getSideOutput(FeatureAggregation.LATE));
        }
        FeaturePipeline.Aggregated aggregated = pipeline.aggregateTimed(decoded);
        DataStream<Either<FeatureVector, ModelAnnouncement>> vectors = pipeline.transform(aggregated.rows(), settings.fit())
                .map(Either::<FeatureVector, ModelAnnouncement>Left)
                .returns(ArrivalFeatureVectors.OUTPUT_TYPE)
                .uid("vectors-for-scoring")
                .name("Vectors");
        DataStream<Either<FeatureVector, ModelAnnouncement>> announced = announcements
                .map(Either::<FeatureVector, ModelAnnouncement>Right)
                .returns(ArrivalFeatureVectors.OUTPUT_TYPE)
                .uid("announcements-for-scoring")
                .name("Announcements")
                .broadcast();
        return new Scorable(vectors.union(announced), aggregated.lateEvents());
    }

    private void sinkFeatures(DataStream<FeatureVector> vectors) {
        vectors.sinkTo(features)
                .uid("features-sink")
                .name("Features");
    }

    private static void vectorOnly(Either<FeatureVector, ModelAnnouncement> input, Collector<FeatureVector> out) {
        if (input.isLeft()) {
            out.collect(input.left());
        }
    }

    /**
     * Entry point for {@code flink run -c io.loopline.jobs.ServingJob loopline-jobs-job.jar --config serving.properties}:
     * Kafka, topics, spec, profile and model store from the properties file (deploy/jobs/serving.properties), -Dkey=value
     * arguments or the cluster's configuration (docs/configuration.md);
     * state backend, checkpoints and restarts from the cluster's config.yaml.
     */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ServingJobFromConfig.build(io.loopline.jobs.config.JobConfig.fromArgs(args, env.getConfiguration()), env);
        env.execute(JOB_NAME);
    }

    /** Builds the topology and submits it without waiting for it to finish. */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(JOB_NAME);
    }

    /** Benchmark stand-in for the model: every vector scores 0.5 as "version 0"; announcements are ignored. */
    private static final class ConstantScore implements FlatMapFunction<Either<FeatureVector, ModelAnnouncement>, Prediction> {
        private static final long serialVersionUID = 1L;
        private final String model;

        ConstantScore(String model) {
            this.model = model;
        }

        @Override
        public void flatMap(Either<FeatureVector, ModelAnnouncement> input, Collector<Prediction> out) {
            if (input.isLeft()) {
                FeatureVector v = input.left();
                out.collect(new Prediction(v.eventId(), v.entity(), v.timestamp(), 0.5, model, 0, v.label(), System.currentTimeMillis()));
            }
        }
    }
}
