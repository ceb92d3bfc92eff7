package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityLabelsSnapshot;
import io.loopline.state.aggregates.KnownLabels;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

/** Writes entities' known labels into a savepoint exactly as {@link LabelHistoryOperator} keeps them. */
public final class LabelHistoryBootstrap extends KeyedStateBootstrapFunction<String, EntityLabelsSnapshot> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient ValueState<KnownLabels> known;

    public LabelHistoryBootstrap(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        known = getRuntimeContext().getState(LabelHistoryOperator.knownLabelsDescriptor(spec));
    }

    @Override
    public void processElement(EntityLabelsSnapshot snapshot, Context ctx) throws Exception {
        known.update(snapshot.labels());
    }
}
