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
}
