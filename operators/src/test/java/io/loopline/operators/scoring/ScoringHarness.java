package io.loopline.operators.scoring;

import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;

/** A harness for {@link ModelScoringOperator} that sends vectors and announcements by their names, as serving's one stream carries them. */
final class ScoringHarness extends OneInputStreamOperatorTestHarness<Either<FeatureVector, ModelAnnouncement>, Prediction> {
    ScoringHarness(ModelScoringOperator operator) throws Exception {
        super(operator);
    }

    void processVector(StreamRecord<FeatureVector> record) throws Exception {
        processElement(new StreamRecord<>(Either.Left(record.getValue()), record.getTimestamp()));
    }

    void processAnnouncement(StreamRecord<ModelAnnouncement> record) throws Exception {
        processElement(new StreamRecord<>(Either.Right(record.getValue()), record.getTimestamp()));
    }
}
