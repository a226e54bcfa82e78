package dev.lamina.backend;

/**
 * Reductions of {@link dev.lamina.tensor.DType#I64} tensors along an axis, exact (wrapping on overflow as
 * {@code long} does). An empty axis gives the identity: 0 for SUM, 1 for PROD, {@code Long.MIN_VALUE} for MAX and
 * {@code Long.MAX_VALUE} for MIN (ONNX's rule for empty reductions of integers).
 */
public enum IntegerReduction {
    SUM, PROD, MAX, MIN;

    /** The lower-case name errors use, e.g. {@code prod}. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The value of an empty reduction. */
    public long identity() {
        return switch (this) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
        };
    }

    /** acc combined with x. */
    public long combine(long acc, long x) {
        return switch (this) {
            case SUM -> acc + x;
            case PROD -> acc * x;
            case MAX -> Math.max(acc, x);
            case MIN -> Math.min(acc, x);
        };
    }
}
