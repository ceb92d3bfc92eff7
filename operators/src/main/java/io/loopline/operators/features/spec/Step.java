package io.loopline.operators.features.spec;

import java.io.Serializable;

/** A numeric transform step, applied in the order the spec lists them, after imputation. */
public sealed interface Step extends Serializable {
    /** {@code log(1 + max(x, 0))}: negative inputs are floored at 0 first, so the result is always finite. */
    record Log1p() implements Step {}

    /** Limits the value to {@code [min, max]}. */
    record Clip(double min, double max) implements Step {}

    /** {@code (x - mean) / std} with mean and std learned by the backfill (std 0 counts as 1). */
    record Standardize() implements Step {}
}
