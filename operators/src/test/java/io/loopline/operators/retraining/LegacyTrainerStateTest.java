package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A savepoint of the trainer taken before its decisions were one {@link TrainerState} (six arrays) restores into one. */
class LegacyTrainerStateTest {
    @TempDir
    Path dir;

    /** Writes the trainer's decision state in the old layout for the trainer's key, as an older Loopline checkpointed it. */
    private static final class TestingOldLayoutTrainer extends AbstractStreamOperator<Integer> implements OneInputStreamOperator<Integer, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(StreamRecord<Integer> element) throws Exception {
            var longs = PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO;
            var doubles = PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO;
            getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-counters", longs)).update(new long[] {500, 400, 1000, 2, 1, 0});
            getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-triggers", longs)).update(new long[] {7_000, 12, Long.MIN_VALUE, 5_000, 7_000});
            getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-watch", doubles)).update(new double[] {0, 0, 0, 1, 0.8});
            getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-shadow", longs)).update(new long[] {2, 1, 300, Long.MAX_VALUE});
            // one compared window (200 examples each) and a shadow window waiting for the champion's
            getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-shadow-windows", doubles))
                    .update(new double[] {140, 200, 180, 200, 0, 60_000, 45, 50});
        }
    }

    @Test
    void theOldLayoutRestoresIntoTheTrainersState() throws Exception {
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        ConceptFlip.publishChampion(store); // v1
        ConceptFlip.publishChampion(store); // v2: the shadow
        OperatorSubtaskState old;
        try (var writer = new KeyedOneInputStreamOperatorTestHarness<>(new TestingOldLayoutTrainer(), k -> ContinualTrainer.KEY, Types.INT)) {
            writer.open();
            writer.processElement(new StreamRecord<>(ContinualTrainer.KEY, 1));
            old = writer.snapshot(1, 1);
        }

        String root = dir.toUri().toString();
        TrainerSettings settings = TrainerSettings.defaults("m", TrainingMode.STATEFUL, ConceptFlip.NETWORK)
                .withPolicy(RetrainPolicy.defaults().withCooldown(Duration.ZERO).withMinExamples(100))
                .withGate(PromotionGate.defaults().withShadow(300, 0.01));
        var trainer = new ContinualTrainer(settings, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), (s, m) -> {});
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport>(trainer,
                p -> ContinualTrainer.KEY, r -> ContinualTrainer.KEY, Types.INT)) {
            h.initializeState(old);
            h.open();
            assertThat(trainer.shadowVersion()).isEqualTo(2);
            assertThat(trainer.championVersion()).as("the shadow's champion, not the store's latest").isEqualTo(1);
            assertThat(trainer.counters()).containsExactly(500, 400, 1000, 2, 1, 0);
            // the pending shadow window meets the champion's: 250 of 300 examples, then a verdict with the next pair
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model/time", 1, 60_000, 60_000, 50, 0.5, Double.NaN), 1));
            assertThat(trainer.shadowVersion()).isEqualTo(2);
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "shadow/time", 2, 120_000, 120_000, 60, 0.9, Double.NaN), 2));
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model/time", 1, 120_000, 120_000, 60, 0.5, Double.NaN), 3));
            assertThat(trainer.shadowVersion()).as("judged on the restored windows").isEqualTo(-1);
            assertThat(trainer.championVersion()).isEqualTo(2);
            assertThat(h.extractOutputValues()).extracting(MonitoringReport::statistic).containsExactly("challenger_promoted");
            assertThat(h.extractOutputValues().get(0).value()).as("(180 + 45 + 54) / 310 - (140 + 25 + 30) / 310")
                    .isCloseTo((180 + 45 + 54) / 310.0 - (140 + 25 + 30) / 310.0, org.assertj.core.api.Assertions.within(1e-9));
        }
    }
}
