package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.EventWithAggregates;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.util.Collector;

/** Emits one partial {@link FitAccumulator} (as JSON) per parallel task, over its whole input. */
public final class FitPartials implements MapPartitionFunction<EventWithAggregates, String> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;

    public FitPartials(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void mapPartition(Iterable<EventWithAggregates> rows, Collector<String> out) {
        FitAccumulator accumulator = new FitAccumulator(spec);
        rows.forEach(accumulator::add);
        out.collect(accumulator.toJson());
    }
}
