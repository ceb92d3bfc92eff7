package io.loopline.operators.retraining;

import io.loopline.operators.drift.detectors.DetectorName;
import io.loopline.operators.retraining.TrainerState.DriftWait;
import io.loopline.operators.retraining.TrainerState.Probation;
import io.loopline.operators.retraining.TrainerState.ShadowTally;
import io.loopline.operators.retraining.TrainerState.ShadowTrial;
import io.loopline.operators.retraining.TrainerState.TriggerMemory;
import io.loopline.operators.retraining.TrainerState.VersionAccuracy;
import io.loopline.operators.retraining.TrainerState.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The trainer's decision state as checkpoints before {@link TrainerState} held it: six number arrays.
 * A savepoint taken by an older Loopline restores into a {@link TrainerState} once, and the arrays are
 * cleared so the next checkpoint no longer carries them.
 */
final class LegacyTrainerState {
    private final ValueState<long[]> counters;
    private final ValueState<long[]> triggers;
    private final ValueState<double[]> watch;
    private final ValueState<long[]> shadow;
    private final ValueState<double[]> shadowWindows;
    private final ValueState<long[]> awaiting;

    LegacyTrainerState(RuntimeContext state) {
        counters = state.getState(longs("trainer-counters"));
        triggers = state.getState(longs("trainer-triggers"));
        watch = state.getState(doubles("trainer-watch"));
        shadow = state.getState(longs("trainer-shadow"));
        shadowWindows = state.getState(doubles("trainer-shadow-windows"));
        awaiting = state.getState(longs("trainer-awaiting-drift-examples"));
    }

    private static ValueStateDescriptor<long[]> longs(String name) {
        return new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    private static ValueStateDescriptor<double[]> doubles(String name) {
        return new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The state of the current key in the old layout, cleared once read; null when there is none. */
    TrainerState readAndClear(long championVersion) throws Exception {
        long[] c = counters.value();
        if (c == null) {
            return null;
        }
        long[] t = triggers.value();
        TriggerMemory memory = t == null ? TriggerMemory.NONE
                : new TriggerMemory(t[0], t[1], t[2], Arrays.stream(t, 3, t.length).boxed().toList());
        Probation probation = null;
        List<VersionAccuracy> accuracies = new ArrayList<>();
        double[] w = watch.value();
        if (w != null) {
            if (w[0] > 0) {
                probation = new Probation((long) w[0], (long) w[1], w[2]);
            }
            for (int i = 3; i + 1 < w.length; i += 2) {
                accuracies.add(new VersionAccuracy((long) w[i], w[i + 1]));
            }
        }
        long[] sh = shadow.value();
        ShadowTrial trial = sh == null ? null : new ShadowTrial(sh[0], sh[1], sh[2], sh[3], tally(shadowWindows.value()));
        long[] a = awaiting.value();
        DriftWait wait = a == null ? null : new DriftWait(DetectorName.values()[(int) a[2]], a[0], a[1]);
        long champion = trial == null ? championVersion : trial.champion();
        for (ValueState<?> old : List.of(counters, triggers, watch, shadow, shadowWindows, awaiting)) {
            old.clear();
        }
        return new TrainerState(c[0], c[1], c[2], c[3], c[4], c[5], champion, memory, accuracies, probation, trial, wait);
    }

    private static ShadowTally tally(double[] s) {
        if (s == null) {
            return ShadowTally.EMPTY;
        }
        int championWindows = (int) s[4];
        List<Window> champion = new ArrayList<>();
        List<Window> shadow = new ArrayList<>();
        for (int i = 0, at = 5; at + 2 < s.length; i++, at += 3) {
            (i < championWindows ? champion : shadow).add(new Window((long) s[at], s[at + 1], s[at + 2]));
        }
        return new ShadowTally(s[0], s[1], s[2], s[3], champion, shadow);
    }
}
