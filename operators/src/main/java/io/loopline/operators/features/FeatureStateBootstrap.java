package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.aggregates.EntityStateSnapshot;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

/** Writes entity states into a savepoint exactly as {@link FeatureAggregation} keeps them. */
public final class FeatureStateBootstrap extends KeyedStateBootstrapFunction<String, EntityStateSnapshot> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient ValueState<EntityFeatureState> entityState;

    public FeatureStateBootstrap(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        entityState = getRuntimeContext().getState(FeatureAggregation.entityStateDescriptor(spec));
    }

    @Override
    public void processElement(EntityStateSnapshot snapshot, Context ctx) throws Exception {
        entityState.update(snapshot.state());
    }
}
