package io.loopline.operators.features;

import io.loopline.state.records.EventWithAggregates;
import io.loopline.state.records.FeatureVector;
import org.apache.flink.api.common.functions.MapFunction;

/** The stateless last step of the feature pipeline: {@link FeatureTransformer} as a Flink function. */
public final class TransformFeatures implements MapFunction<EventWithAggregates, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final FeatureTransformer transformer;

    public TransformFeatures(FeatureTransformer transformer) {
        this.transformer = transformer;
    }

    @Override
    public FeatureVector map(EventWithAggregates row) {
        return transformer.transform(row);
    }
}
