package dev.lamina.backend;

/**
 * Binary operations on {@link dev.lamina.tensor.DType#I64} tensors, with their scalar definitions (the one place both
 * backends take the semantics from). Overflow wraps as Java's {@code long} arithmetic does.
 */
public enum IntegerBinary {
    /** a + b. */
    ADD,
    /** a − b. */
    SUB,
    /** a · b. */
    MUL,
    /** a / b truncated toward zero (C, Java and ONNX's integer Div); a zero divisor is refused. */
    DIV,
    /** The remainder with the sign of the divisor, Python's {@code %} (ONNX Mod with fmod=0); a zero divisor is refused. */
    MOD,
    /** The remainder with the sign of the dividend, C's {@code fmod} (ONNX Mod with fmod=1); a zero divisor is refused. */
    FMOD,
    /** min(a, b). */
    MIN,
    /** max(a, b). */
    MAX,
    /** a raised to b by repeated squaring (b ≥ 0; a negative exponent is refused). */
    POW;

    /** The lower-case name errors use, e.g. {@code div}. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** a op b. */
    public long apply(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) throw divisionByZero(a);
                yield a / b;
            }
            case MOD -> {
                if (b == 0) throw divisionByZero(a);
                yield Math.floorMod(a, b);
            }
            case FMOD -> {
                if (b == 0) throw divisionByZero(a);
                yield a % b;
            }
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
            case POW -> power(a, b);
        };
    }

    private ArithmeticException divisionByZero(long a) {
        return new ArithmeticException(opName() + ": I64 division by zero (" + a + " " + opName() + " 0)");
    }

    private static long power(long a, long b) {
        if (b < 0) throw new ArithmeticException("pow: I64 exponent " + b + " is negative; convert to F32 for fractional powers");
        long r = 1;
        for (long base = a, e = b; e > 0; e >>= 1, base *= base) {
            if ((e & 1) != 0) r *= base;
        }
        return r;
    }
}
