package dev.lamina.nn.functional;

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

    /** exp(x − max) in place over the whole vectors of [0, n); returns their sum (the caller does the tail). */
    static float expSubtractSum(float[] x, int o, int n, float max) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, x, o + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, o + i);
            acc = acc.add(e);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
