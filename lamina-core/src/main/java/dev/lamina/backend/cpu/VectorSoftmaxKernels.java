package dev.lamina.backend.cpu;

import dev.lamina.kernels.VectorMath;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link SoftmaxKernels}; loaded only when the incubator module is present. */
final class VectorSoftmaxKernels {
    private VectorSoftmaxKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    static int bound(int n) {
        return S.loopBound(n);
    }

    /** x *= scale in place over the whole vectors of [0, n); returns their largest value (the caller does the tail). */
    static float scaleMax(float[] x, int o, int n, float scale) {
        int bound = S.loopBound(n);
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, o + i).mul(scale);
            v.intoArray(x, o + i);
            m = m.max(v);
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /** x *= f in place over the whole vectors of [0, n). */
    static void scale(float[] x, int o, int n, float f) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) FloatVector.fromArray(S, x, o + i).mul(f).intoArray(x, o + i);
    }

    /** exp(x − max) in place over the whole vectors of [0, n); returns their sum (the caller does the tail). */
    static float expSubtractSum(float[] x, int o, int n, float max) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, o + i).sub(max));
            e.intoArray(x, o + i);
            acc = acc.add(e);
        }
        return VectorMath.sumLanes(acc);
    }

    /** Σ exp(x − max) over the whole vectors of [0, n), x unchanged (the caller does the tail). */
    static float expSum(float[] x, int o, int n, float max) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) acc = acc.add(VectorMath.exp(FloatVector.fromArray(S, x, o + i).sub(max)));
        return VectorMath.sumLanes(acc);
    }

    /** x += d in place over the whole vectors of [0, n). */
    static void shift(float[] x, int o, int n, float d) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) FloatVector.fromArray(S, x, o + i).add(d).intoArray(x, o + i);
    }

    /** Σ a·b over the whole vectors of [0, n). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        return VectorMath.sumLanes(acc);
    }

    /** g = p·(g − dot)·scale over the whole vectors of [0, n). */
    static void softmaxGrad(float[] g, int go, float[] p, int po, int n, float dot, float scale) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector.fromArray(S, g, go + i).sub(dot).mul(FloatVector.fromArray(S, p, po + i)).mul(scale).intoArray(g, go + i);
        }
    }
}
