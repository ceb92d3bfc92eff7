package io.loopline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.learning.ParseServedFeatures;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.RawEvent;
import io.loopline.state.records.ServedFeatures;
import java.util.SplittableRandom;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

/** The feature log is the training data of record: what serving writes must read back to the very same bits. */
class FeatureLogRoundTripTest {
    private static final KafkaRecordSerializationSchema.KafkaSinkContext ONE_SUBTASK = new KafkaRecordSerializationSchema.KafkaSinkContext() {
        @Override
        public int getParallelInstanceId() {
            return 0;
        }

        @Override
        public int getNumberOfParallelInstances() {
            return 1;
        }

        @Override
        public int[] getPartitionsForTopic(String topic) {
            return new int[] {0};
        }
    };

    /** Values of every kind a feature takes: standardized, one-hot, counts, extremes, subnormals, negative zero, NaN (missing). */
    private static double[] values(SplittableRandom random) {
        double[] v = new double[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (i % 8) {
                case 0 -> random.nextGaussian();
                case 1 -> random.nextInt(2);
                case 2 -> random.nextInt(1_000_000);
                case 3 -> Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL) * (random.nextBoolean() ? 1 : -1);
                case 4 -> Double.MIN_VALUE * random.nextInt(1, 1000);
                case 5 -> -0.0;
                case 6 -> Double.NaN;
                default -> random.nextDouble() * 1e-300;
            };
        }
        return v;
    }

    @Test
    void everyServedValueReadsBackToTheSameBits() throws Exception {
        var serializer = new ServedFeaturesSerializer("feature-log", "transactions");
        var random = new SplittableRandom(7);
        var parse = new ParseServedFeatures();
        List<ServedFeatures> parsed = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
            var served = new ServedFeatures(new FeatureVector("e" + n, "card-" + n, 1_700_000_000_000L + n, values(random), n % 2),
                    "fraud", 3, random.nextDouble(), 1_700_000_000_500L + n);
            byte[] line = serializer.serialize(served, ONE_SUBTASK, null).value();
            // No context: a line it could not read would go to dead letters through it, and fail here.
            parse.processElement(new RawEvent(null, line, "feature-log/0", 0), null, new ListCollector<>(parsed));
            ServedFeatures back = parsed.get(n);
            assertThat(back.features().values()).as("values of %s", served.features().eventId())
                    .usingElementComparator((a, b) -> Long.compare(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b)))
                    .containsExactly(served.features().values());
            assertThat(back.score()).isEqualTo(served.score());
            assertThat(back.features().label()).isEqualTo(served.features().label());
        }
    }
}
