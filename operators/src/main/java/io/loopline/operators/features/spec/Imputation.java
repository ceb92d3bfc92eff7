package io.loopline.operators.features.spec;

import java.io.Serializable;

/**
 * What a missing numeric value becomes before the transform steps.
 *
 * @param kind {@code MEAN} (learned by the backfill over non-missing values), {@code ZERO} or
 *     {@code CONSTANT}
 * @param constant the value for {@code CONSTANT}
 */
public record Imputation(Kind kind, double constant) implements Serializable {
    public enum Kind {
        MEAN,
        ZERO,
        CONSTANT
    }

    public static Imputation mean() {
        return new Imputation(Kind.MEAN, 0);
    }

    public static Imputation zero() {
        return new Imputation(Kind.ZERO, 0);
    }
}
