package dev.lamina.kernels;

/**
 * Flat elementwise loops over contiguous runs of floats. Each op has its own loop in the same-index form the JIT
 * vectorises; callers pass offsets and a length and split large runs across cores with {@link Parallel}.
 */
public final class Elementwise {
    private Elementwise() {}

    /** Runs below this many elements stay on the calling thread. */
    public static final int PARALLEL_GRAIN = 1 << 15;

    public enum Binary { ADD, SUB, MUL, DIV, MAX, MIN, POW, GT, LT, GE, LE, EQ, NE }

    public enum Unary { NEG, EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, SQUARE, RECIPROCAL, SIGN }

    /** o[i] = a[i] op b[i] for i in [0, n). */
    public static void binary(Binary op, float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> binarySerial(op, a, ai + s, b, bi + s, o, oi + s, e - s));
        } else {
            binarySerial(op, a, ai, b, bi, o, oi, n);
        }
    }

    /** o[i] = a[i] op s. */
    public static void binaryScalar(Binary op, float[] a, int ai, float s, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (st, e) -> binaryScalarSerial(op, a, ai + st, s, o, oi + st, e - st));
        } else {
            binaryScalarSerial(op, a, ai, s, o, oi, n);
        }
    }

    /** o[i] = s op b[i]. */
    public static void scalarBinary(Binary op, float s, float[] b, int bi, float[] o, int oi, int n) {
        switch (op) {
            case ADD, MUL -> binaryScalar(op, b, bi, s, o, oi, n); // commutative in IEEE arithmetic, bit for bit
            default -> { for (int i = 0; i < n; i++) o[oi + i] = apply(op, s, b[bi + i]); }
        }
    }

    /** o[i] = f(x[i]). */
    public static void unary(Unary op, float[] x, int xi, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> unarySerial(op, x, xi + s, o, oi + s, e - s));
        } else {
            unarySerial(op, x, xi, o, oi, n);
        }
    }

    /** o[i] = g[i] where y[i] &gt; 0, else 0 (ReLU backward from its output; NaN in y gives 0). */
    public static void reluBackward(float[] g, int gi, float[] y, int yi, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> reluBackwardSerial(g, gi + s, y, yi + s, o, oi + s, e - s));
        } else {
            reluBackwardSerial(g, gi, y, yi, o, oi, n);
        }
    }

    /** o[i] = min(max(x[i], lo), hi), Math.max/min's bits (NaN stays NaN). */
    public static void clamp(float[] x, int xi, float lo, float hi, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> clampSerial(x, xi + s, lo, hi, o, oi + s, e - s));
        } else {
            clampSerial(x, xi, lo, hi, o, oi, n);
        }
    }

    /** o[i] = g[i] where lo ≤ x[i] ≤ hi, else 0 (clamp's gradient; NaN in x gives 0). */
    public static void clampBackward(float[] g, int gi, float[] x, int xi, float lo, float hi, float[] o, int oi, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> clampBackwardSerial(g, gi + s, x, xi + s, lo, hi, o, oi + s, e - s));
        } else {
            clampBackwardSerial(g, gi, x, xi, lo, hi, o, oi, n);
        }
    }

    private static void clampSerial(float[] x, int xi, float lo, float hi, float[] o, int oi, int n) {
        System.arraycopy(x, xi, o, oi, n);
        Activation.CLIP.apply(lo, hi, o, oi, null, 0, n);
    }

    private static void clampBackwardSerial(float[] g, int gi, float[] x, int xi, float lo, float hi, float[] o, int oi, int n) {
        int i = CpuFeatures.VECTOR ? VectorElementwise.clampBackward(g, gi, x, xi, lo, hi, o, oi, n) : 0;
        for (; i < n; i++) {
            float v = x[xi + i];
            o[oi + i] = v >= lo && v <= hi ? g[gi + i] : 0f;
        }
    }

    /**
     * o[i] = GELU(x[i]) = x·Φ(x), Φ the standard normal CDF (exact GELU, erf to about 1e-7); Φ(x[i]) goes to
     * cdf[i] for the backward pass.
     */
    public static void gelu(float[] x, int xi, float[] o, float[] cdf, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> geluSerial(x, xi + s, o, cdf, s, e - s));
        } else {
            geluSerial(x, xi, o, cdf, 0, n);
        }
    }

    /** o[i] = g[i]·GELU'(x[i]) = g·(Φ(x) + x·φ(x)), with Φ(x) = cdf[i] from the forward pass. */
    public static void geluBackward(float[] x, int xi, float[] cdf, float[] g, int gi, float[] o, int n) {
        if (n >= 2 * PARALLEL_GRAIN) {
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> geluBackwardSerial(x, xi + s, cdf, g, gi + s, o, s, e - s));
        } else {
            geluBackwardSerial(x, xi, cdf, g, gi, o, 0, n);
        }
    }

    /** Output and Φ at [at, at + n), input from xi. */
    private static void geluSerial(float[] x, int xi, float[] o, float[] cdf, int at, int n) {
        int i = CpuFeatures.VECTOR ? VectorElementwise.gelu(x, xi, o, cdf, at, n) : 0;
        for (; i < n; i++) {
            double v = x[xi + i];
            double phi = 0.5 * (1 + erf(v * INV_SQRT2));
            cdf[at + i] = (float) phi;
            o[at + i] = (float) (v * phi);
        }
    }

    private static void geluBackwardSerial(float[] x, int xi, float[] cdf, float[] g, int gi, float[] o, int at, int n) {
        int i = CpuFeatures.VECTOR ? VectorElementwise.geluBackward(x, xi, cdf, g, gi, o, at, n) : 0;
        for (; i < n; i++) {
            double v = x[xi + i];
            o[at + i] = (float) (g[gi + i] * (cdf[at + i] + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI));
        }
    }

    static final double INV_SQRT2 = 0.7071067811865476;
    static final double INV_SQRT_2PI = 0.3989422804014327;

    private static void reluBackwardSerial(float[] g, int gi, float[] y, int yi, float[] o, int oi, int n) {
        int i = CpuFeatures.VECTOR ? VectorElementwise.reluBackward(g, gi, y, yi, o, oi, n) : 0;
        for (; i < n; i++) o[oi + i] = y[yi + i] > 0 ? g[gi + i] : 0f;
    }

    public static float apply(Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> (float) Math.pow(x, y);
            case GT -> x > y ? 1f : 0f;
            case LT -> x < y ? 1f : 0f;
            case GE -> x >= y ? 1f : 0f;
            case LE -> x <= y ? 1f : 0f;
            case EQ -> x == y ? 1f : 0f;
            case NE -> x != y ? 1f : 0f;
        };
    }

    private static void binarySerial(Binary op, float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]; }
            case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], b[bi + i]); }
            case MIN -> { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], b[bi + i]); }
            default -> { for (int i = 0; i < n; i++) o[oi + i] = apply(op, a[ai + i], b[bi + i]); }
        }
    }

    private static void binaryScalarSerial(Binary op, float[] a, int ai, float s, float[] o, int oi, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + s; }
            case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - s; }
            case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * s; }
            case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / s; }
            case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], s); }
            case MIN -> { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], s); }
            default -> { for (int i = 0; i < n; i++) o[oi + i] = apply(op, a[ai + i], s); }
        }
    }

    private static void unarySerial(Unary op, float[] x, int xi, float[] o, int oi, int n) {
        if (CpuFeatures.VECTOR && op == Unary.TANH) {
            // float lanes (VectorMath, a few ulp; the same bits compiled or interpreted) instead of Math.tanh per element.
            // SIGMOID stays in double: SiLU and the LSTM-free layers compute σ with Elementwise.sigmoid, and an exported
            // SiLU (Mul(x, Sigmoid(x))) must give the module's bits.
            VectorElementwise.sigmoidOrTanh(true, x, xi, o, oi, n);
            return;
        }
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[oi + i] = -x[xi + i]; }
            case EXP -> { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.exp(x[xi + i]); }
            case LOG -> { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.log(x[xi + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.sqrt(x[xi + i]); }
            case ABS -> { for (int i = 0; i < n; i++) o[oi + i] = Math.abs(x[xi + i]); }
            case TANH -> { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.tanh(x[xi + i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) o[oi + i] = sigmoid(x[xi + i]); }
            case RELU -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(x[xi + i], 0f); }
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = x[xi + i]; o[oi + i] = v * v; } }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[oi + i] = 1f / x[xi + i]; }
            case SIGN -> { for (int i = 0; i < n; i++) o[oi + i] = Math.signum(x[xi + i]); }
        }
    }

    /** Logistic function, stable for large |x|. */
    public static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** log(1 + exp(x)) without overflow. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The error function, |error| below 1.2e-7 everywhere (Numerical Recipes' erfc Chebyshev fit), which keeps
     * float32 GELU within rounding of PyTorch's.
     */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }
}
