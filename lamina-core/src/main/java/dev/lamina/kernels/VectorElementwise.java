package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link Elementwise}; loaded only when the incubator module is present. */
final class VectorElementwise {
    private VectorElementwise() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** o = g where y &gt; 0, else 0, over whole vectors of [0, n); returns where the scalar tail starts. */
    static int reluBackward(float[] g, int gi, float[] y, int yi, float[] o, int oi, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < bound; i += S.length()) {
            VectorMask<Float> pos = FloatVector.fromArray(S, y, yi + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, g, gi + i), pos).intoArray(o, oi + i);
        }
        return i;
    }

    /** o = g where lo ≤ x ≤ hi, else 0 (NaN: 0), over whole vectors of [0, n); returns where the scalar tail starts. */
    static int clampBackward(float[] g, int gi, float[] x, int xi, float lo, float hi, float[] o, int oi, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xi + i);
            VectorMask<Float> inside = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            zero.blend(FloatVector.fromArray(S, g, gi + i), inside).intoArray(o, oi + i);
        }
        return i;
    }

    /**
     * o = x·Φ(x) and cdf = Φ(x) at [at, at + n), whole vectors; returns where the scalar tail starts. Φ, the standard
     * normal CDF, comes from erfc by the Chebyshev fit of {@link Elementwise#erf} in float lanes: Φ = 1 − erfc(u)/2 for
     * u = x/√2 ≥ 0, erfc(−u)/2 below; only IEEE ops and {@link VectorMath#exp}, so the same bits compiled or
     * interpreted. Written inside the loop: as a method of its own C2 did not inline it and boxed every vector.
     */
    static int gelu(float[] x, int xi, float[] o, float[] cdf, int at, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xi + i);
            FloatVector u = v.mul((float) Elementwise.INV_SQRT2);
            FloatVector z = u.abs();
            FloatVector t = one.div(z.fma(FloatVector.broadcast(S, 0.5f), one));
            FloatVector q = FloatVector.broadcast(S, 0.17087277f);
            q = q.fma(t, FloatVector.broadcast(S, -0.82215223f));
            q = q.fma(t, FloatVector.broadcast(S, 1.48851587f));
            q = q.fma(t, FloatVector.broadcast(S, -1.13520398f));
            q = q.fma(t, FloatVector.broadcast(S, 0.27886807f));
            q = q.fma(t, FloatVector.broadcast(S, -0.18628806f));
            q = q.fma(t, FloatVector.broadcast(S, 0.09678418f));
            q = q.fma(t, FloatVector.broadcast(S, 0.37409196f));
            q = q.fma(t, FloatVector.broadcast(S, 1.00002368f));
            q = q.fma(t, FloatVector.broadcast(S, -1.26551223f));
            FloatVector erfcHalf = t.mul(VectorMath.exp(z.neg().fma(z, q))).mul(0.5f); // erfc(z) / 2
            FloatVector p = one.sub(erfcHalf).blend(erfcHalf, u.compare(VectorOperators.LT, 0f));
            p.intoArray(cdf, at + i);
            v.mul(p).intoArray(o, at + i);
        }
        return i;
    }

    /** o = g·(Φ(x) + x·φ(x)) at [at, at + n), Φ read from cdf; whole vectors; returns where the scalar tail starts. */
    static int geluBackward(float[] x, int xi, float[] cdf, float[] g, int gi, float[] o, int at, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xi + i);
            FloatVector density = VectorMath.exp(v.mul(v).mul(-0.5f)).mul((float) Elementwise.INV_SQRT_2PI);
            v.fma(density, FloatVector.fromArray(S, cdf, at + i)).mul(FloatVector.fromArray(S, g, gi + i)).intoArray(o, at + i);
        }
        return i;
    }

    /** {@link Activation#applyBlock}: rows of n values {@code ldc} apart, each with its bias (or none) and residual row. */
    static void epilogueBlock(Activation act, float[] bias, int bo, float lo, float hi, float[] y, int yo, int ldc, int rows,
                              float[] r, int ro, int n) {
        if (act == Activation.SIGMOID || act == Activation.SILU) sigmoidFamily(act == Activation.SILU, bias, bo, y, yo, ldc, rows, r, ro, n);
        else piecewise(act, bias, bo, lo, hi, y, yo, ldc, rows, r, ro, n);
    }

    /**
     * NONE, RELU and CLIP as one clamp {@code min(max(v, lo), hi)} (NONE: ±∞, RELU: [0, ∞); Math.max/min's semantics,
     * so the bits of the separate ops), HARDSWISH as {@code v·min(max(fma(v, 1/6, 1/2), 0), 1)}. The arithmetic is
     * written in the loop itself (a helper taking and returning vectors was compiled apart and boxed them); a row's
     * last partial vector is done in scalar code with the same operations in the same order, so every element gets
     * the same bits wherever it falls in a row.
     */
    private static void piecewise(Activation act, float[] bias, int bo, float lo, float hi, float[] y, int yo, int ldc, int rows,
                                  float[] r, int ro, int n) {
        boolean swish = act == Activation.HARDSWISH;
        float min = act == Activation.CLIP ? lo : act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
        float max = act == Activation.CLIP ? hi : Float.POSITIVE_INFINITY;
        FloatVector sixth = FloatVector.broadcast(S, 1f / 6), half = FloatVector.broadcast(S, 0.5f);
        // Selecting the bound on v ≤ min and v > max gives Math's bits (Math.max(−0, +0) is the bound +0, Math.min(−0, +0)
        // keeps v = −0) unless a bound is −0; the operators are constants (a chosen one is not compiled to a compare).
        boolean select = Float.floatToRawIntBits(min) != Integer.MIN_VALUE && Float.floatToRawIntBits(max) != Integer.MIN_VALUE;
        int bound = S.loopBound(n);
        for (int row = 0; row < rows; row++) {
            float b = bias == null ? 0f : bias[bo + row];
            int ry = yo + row * ldc, rr = ro + row * ldc, i = 0;
            for (; i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, ry + i);
                if (bias != null) v = v.add(b);
                if (r != null) v = v.add(FloatVector.fromArray(S, r, rr + i));
                if (swish) {
                    v.mul(v.fma(sixth, half).max(0f).min(1f)).intoArray(y, ry + i);
                } else if (select) {
                    // Math.max(v, min) then Math.min(·, max) as compare-and-select (NaN keeps v; ±0 as Math's)
                    v = v.blend(min, v.compare(VectorOperators.LE, min));
                    v.blend(max, v.compare(VectorOperators.GT, max)).intoArray(y, ry + i);
                } else {
                    v.max(min).min(max).intoArray(y, ry + i);
                }
            }
            for (; i < n; i++) {
                float v = y[ry + i];
                if (bias != null) v += b;
                if (r != null) v += r[rr + i];
                y[ry + i] = swish ? v * Math.min(Math.max(Math.fma(v, 1f / 6, 0.5f), 0f), 1f) : Math.min(Math.max(v, min), max);
            }
        }
    }

    /**
     * σ(v) or v·σ(v) with ONE {@link VectorMath#sigmoid} call site (C2 inlines one exp into a method; past its node
     * budget the vectors would be boxed on the heap); the partial last vector as in {@link #piecewise}.
     */
    private static void sigmoidFamily(boolean silu, float[] bias, int bo, float[] y, int yo, int ldc, int rows, float[] r, int ro, int n) {
        float[] tail = n % S.length() == 0 ? null : TAIL.get();
        for (int row = 0; row < rows; row++) {
            float b = bias == null ? 0f : bias[bo + row];
            int rowY = yo + row * ldc, rowR = ro + row * ldc;
            for (int i = 0; i < n; i += S.length()) {
                int left = Math.min(S.length(), n - i);
                float[] ya = y, ra = r;
                int yi = rowY + i, ri = rowR + i;
                if (left < S.length()) {
                    System.arraycopy(y, yi, tail, 0, left);
                    if (r != null) System.arraycopy(r, ri, tail, S.length(), left);
                    ya = tail;
                    ra = r == null ? null : tail;
                    yi = 0;
                    ri = S.length();
                }
                FloatVector v = FloatVector.fromArray(S, ya, yi);
                if (bias != null) v = v.add(b);
                if (ra != null) v = v.add(FloatVector.fromArray(S, ra, ri));
                FloatVector sg = VectorMath.sigmoid(v);
                (silu ? v.mul(sg) : sg).intoArray(ya, yi);
                if (ya == tail) System.arraycopy(tail, 0, y, rowY + i, left);
            }
        }
    }

    /** Scratch of two vectors per thread for a partial last vector (output lanes, then residual lanes). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[2 * S.length()]);

    /** o = σ(x) or tanh(x) over [0, n), the tail by one masked vector (so every element gets the same arithmetic). */
    static void sigmoidOrTanh(boolean tanh, float[] x, int xi, float[] o, int oi, int n) {
        int i = VectorMath.activate(S, tanh, x, xi, o, oi, n);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMath.sigmoidOrTanh(FloatVector.fromArray(S, x, xi + i, m), tanh).intoArray(o, oi + i, m);
        }
    }
}
