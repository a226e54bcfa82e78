package dev.lamina.backend;

/**
 * Element-wise comparisons giving {@link dev.lamina.tensor.DType#BOOL}: on two F32 tensors (IEEE rules: every
 * comparison with NaN is false except {@link #NE}), two I64 tensors (exact), or, for {@link #EQ} and {@link #NE},
 * two BOOL tensors.
 */
public enum Comparison {
    EQ, NE, LT, GT, LE, GE;

    /** The lower-case name errors use, e.g. {@code lt}. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the comparison is defined on BOOL operands (equality only). */
    public boolean acceptsBool() {
        return this == EQ || this == NE;
    }

    public boolean test(float a, float b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case GT -> a > b;
            case LE -> a <= b;
            case GE -> a >= b;
        };
    }

    public boolean test(long a, long b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case GT -> a > b;
            case LE -> a <= b;
            case GE -> a >= b;
        };
    }

    /** EQ or NE on truth values. */
    public boolean test(boolean a, boolean b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            default -> throw new IllegalArgumentException(opName() + ": BOOL operands have no order; convert with to(DType.I64)");
        };
    }
}
