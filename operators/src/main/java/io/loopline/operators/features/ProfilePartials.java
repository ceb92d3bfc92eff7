package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.FeatureVector;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.util.Collector;

/** Emits one partial {@link ProfileAccumulator} (as JSON) per parallel task, over its whole input. */
public final class ProfilePartials implements MapPartitionFunction<FeatureVector, String> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;

    public ProfilePartials(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void mapPartition(Iterable<FeatureVector> vectors, Collector<String> out) {
        ProfileAccumulator accumulator = new ProfileAccumulator(spec);
        vectors.forEach(accumulator::add);
        out.collect(accumulator.toJson());
    }
}
