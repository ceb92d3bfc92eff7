package io.loopline.state.records;

import io.loopline.state.serialization.JoinEntrySerializer;
import io.loopline.state.serialization.LabelSerializer;
import io.loopline.state.serialization.LabeledPredictionSerializer;
import io.loopline.state.serialization.MonitoringReportSerializer;
import io.loopline.state.serialization.WindowHistogramsSerializer;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Nested;

class LabelSerializersTest {
    @Nested
    class LabelFormat extends SerializerTestBase<Label> {
        @Override
        protected TypeSerializer<Label> createSerializer() {
            return new LabelSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<Label> getTypeClass() {
            return Label.class;
        }

        @Override
        protected Label[] getTestData() {
            return new Label[] {new Label("e1", 1.0, 1_700_000_000_000L), new Label("ünï", Double.NaN, Long.MIN_VALUE)};
        }
    }

    @Nested
    class LabeledPredictionFormat extends SerializerTestBase<LabeledPrediction> {
        @Override
        protected TypeSerializer<LabeledPrediction> createSerializer() {
            return new LabeledPredictionSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<LabeledPrediction> getTypeClass() {
            return LabeledPrediction.class;
        }

        @Override
        protected LabeledPrediction[] getTestData() {
            var served = new ServedFeatures(new FeatureVector("e1", "c", 5L, new double[] {1, 2}, Double.NaN), "fraud", 2, 0.3, 9L);
            return new LabeledPrediction[] {new LabeledPrediction(served, 1.0, 7L, false), new LabeledPrediction(served, 0.0, 99L, true)};
        }
    }

    @Nested
    class WindowHistogramsFormat extends SerializerTestBase<WindowHistograms> {
        @Override
        protected TypeSerializer<WindowHistograms> createSerializer() {
            return new WindowHistogramsSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<WindowHistograms> getTypeClass() {
            return WindowHistograms.class;
        }

        @Override
        protected WindowHistograms[] getTestData() {
            return new WindowHistograms[] {
                new WindowHistograms(0, 60_000, 2, 10, new double[][] {{1, 2, 3}, {4, 5}}, new double[10], new double[] {7, 3}),
                new WindowHistograms(-5, 5, 0, 0, new double[0][], new double[0], new double[0]),
            };
        }
    }

    @Nested
    class MonitoringReportFormat extends SerializerTestBase<MonitoringReport> {
        @Override
        protected TypeSerializer<MonitoringReport> createSerializer() {
            return new MonitoringReportSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<MonitoringReport> getTypeClass() {
            return MonitoringReport.class;
        }

        @Override
        protected MonitoringReport[] getTestData() {
            return new MonitoringReport[] {new MonitoringReport("psi", "amount_log", 3, 0, 60_000, 1234, 0.31, Double.NaN),
                new MonitoringReport("ks", "prediction", 1, 5, 6, 2, 0.1, 0.04)};
        }
    }

    @Nested
    class JoinEntryFormat extends SerializerTestBase<JoinEntry> {
        @Override
        protected TypeSerializer<JoinEntry> createSerializer() {
            return new JoinEntrySerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<JoinEntry> getTypeClass() {
            return JoinEntry.class;
        }

        @Override
        protected JoinEntry[] getTestData() {
            var served = new ServedFeatures(new FeatureVector("e1", "c", 5L, new double[] {1, 2}, Double.NaN), "fraud", 2, 0.3, 9L);
            return new JoinEntry[] {new JoinEntry(served, null, JoinEntry.OPEN), new JoinEntry(null, new Label("e1", 1, 7), JoinEntry.OPEN),
                new JoinEntry(served, new Label("e1", 0, 8), JoinEntry.JOINED), new JoinEntry(served, null, JoinEntry.CLOSED),
                // What the label join keeps once an example has left: no feature values.
                new JoinEntry(new ServedFeatures(new FeatureVector("e1", "c", 5L, new double[0], Double.NaN), "fraud", 2, 0.3, 9L), null,
                        JoinEntry.CLOSED)};
        }
    }
}
