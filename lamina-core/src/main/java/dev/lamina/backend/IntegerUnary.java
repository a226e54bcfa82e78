package dev.lamina.backend;

/** Unary operations on {@link dev.lamina.tensor.DType#I64} tensors, with their scalar definitions. */
public enum IntegerUnary {
    /** −x (wraps for {@code Long.MIN_VALUE}, as Java does). */
    NEG,
    /** |x| (wraps for {@code Long.MIN_VALUE}, as Java does). */
    ABS,
    /** −1, 0 or 1. */
    SIGN;

    /** f(x). */
    public long apply(long x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
        };
    }
}
