package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendental functions on float vectors built only from IEEE add, multiply, fma and bit operations, so they
 * give the same bits whether the JIT has compiled them or not. The Vector API's own {@code lanewise(EXP)} or
 * {@code TANH} does not: compiled, it calls a native vector math library; interpreted or C1-compiled, it falls back
 * to {@code Math.exp} per lane, and the two differ in the last bit. A training run would then depend on how warm the
 * JIT was, and a resumed run would not reproduce an uninterrupted one. Loaded only with the incubator module.
 */
public final class VectorMath {
    private VectorMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n·LN2_HI is exact for |n| < 2^8
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude < 2^22 to the nearest integer. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final float MAX_ARG = 88.72283905206835f;   // exp overflows above ln(FLT_MAX)
    private static final float MIN_ARG = -87.33654475055310f;  // below ln(FLT_MIN) the result is flushed to 0

    /**
     * eᵡ lane by lane, relative error below 2 ulp on the normal range; +∞ above {@value #MAX_ARG}, 0 below
     * {@value #MIN_ARG} (so −∞ gives 0), NaN for NaN.
     */
    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector xc = x.max(MIN_ARG).min(MAX_ARG);
        // x = n·ln2 + r, |r| ≤ ln2/2
        FloatVector t = xc.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUND_MAGIC));
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(s, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(s, -LN2_LO), r);
        // e^r by its Taylor series to r^7/7! (remainder < 2^-30 for |r| ≤ ln2/2), Horner form with fma
        FloatVector p = FloatVector.broadcast(s, 1f / 5040);
        p = p.fma(r, FloatVector.broadcast(s, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(s, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(s, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(s, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(s, 0.5f));
        p = p.fma(r, FloatVector.broadcast(s, 1f));
        p = p.fma(r, FloatVector.broadcast(s, 1f));
        // 2^n from the exponent bits; n ∈ [−126, 128]: split as 2^(n/2)·2^(n − n/2) so 2^128 and 2^−126 stay representable
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        IntVector half = ni.lanewise(jdk.incubator.vector.VectorOperators.ASHR, 1);
        FloatVector scale1 = half.add(127).lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = ni.sub(half).add(127).lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = p.mul(scale1).mul(scale2);
        VectorMask<Float> over = x.compare(jdk.incubator.vector.VectorOperators.GT, MAX_ARG);
        VectorMask<Float> under = x.compare(jdk.incubator.vector.VectorOperators.LT, MIN_ARG);
        // NaN needs no test: max/min keep it, so p and the result are NaN already
        return result.blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
    }

    /** 1 / (1 + e⁻ˣ). */
    public static FloatVector sigmoid(FloatVector x) {
        return sigmoidOrTanh(x, false);
    }

    /** tanh x = sign(x)·(1 − 2 / (e^{2|x|} + 1)) (an odd series near 0), within a few ulp; ±1 beyond |x| ≈ 9. */
    public static FloatVector tanh(FloatVector x) {
        return sigmoidOrTanh(x, true);
    }

    /**
     * σ(x), or tanh(x) when {@code tanh}: both through ONE {@link #exp} (tanh |x| = 1 − 2σ(−2|x|)), so that a loop
     * mixing the two inlines one copy of it. C2 inlines one exp into a method, rarely more: past its node budget the
     * calls it leaves pass their vectors boxed on the heap, several times slower (an LSTM step's gate math, with five
     * activations in one loop body, ran 12% of the whole training step that way).
     */
    public static FloatVector sigmoidOrTanh(FloatVector x, boolean tanh) {
        VectorSpecies<Float> s = x.species();
        FloatVector one = FloatVector.broadcast(s, 1f);
        FloatVector ax = x.abs();
        FloatVector q = one.div(exp(tanh ? ax.add(ax) : x.neg()).add(one));   // σ(x), or σ(−2|x|) = 1 / (e^{2|x|} + 1)
        if (!tanh) return q;
        FloatVector mag = one.sub(q.add(q));
        // small |x|: 1 − 2/(e+1) cancels; below 0.3 use the odd series to x¹¹ (next term < 2e-9 relative there)
        FloatVector x2 = x.mul(x);
        FloatVector series = FloatVector.broadcast(s, -1382f / 155925).fma(x2, FloatVector.broadcast(s, 62f / 2835))
                .fma(x2, FloatVector.broadcast(s, -17f / 315)).fma(x2, FloatVector.broadcast(s, 2f / 15))
                .fma(x2, FloatVector.broadcast(s, -1f / 3)).fma(x2, one).mul(ax);
        mag = mag.blend(series, ax.compare(jdk.incubator.vector.VectorOperators.LT, 0.3f));
        // copy x's sign (also keeps −0); NaN in, NaN out: exp and the arithmetic above propagate it
        return mag.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
    }

    /**
     * dst[d, d + n) = σ or tanh of src[so, so + n) (in place when the ranges are the same) over the whole vectors in
     * n; returns how many were done, the caller finishing the tail. Call it from ONE place in a method (a loop over the
     * ranges to activate): each call site that C2 inlines brings its own exp (see {@link #sigmoidOrTanh}).
     */
    public static int activate(VectorSpecies<Float> s, boolean tanh, float[] src, int so, float[] dst, int d, int n) {
        int j = 0, bound = s.loopBound(n);
        for (; j < bound; j += s.length()) sigmoidOrTanh(FloatVector.fromArray(s, src, so + j), tanh).intoArray(dst, d + j);
        return j;
    }

    /** Σ lanes in lane order (reduceLanes(ADD) may add in any order, and compiled and interpreted code differ). */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
