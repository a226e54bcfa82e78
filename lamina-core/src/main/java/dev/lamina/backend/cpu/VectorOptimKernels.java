package dev.lamina.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link OptimKernels}; loaded only when the incubator module is present. */
final class VectorOptimKernels {
    private VectorOptimKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Adam over whole vectors in [from, to); returns where the scalar tail starts. */
    static int adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int from, int to,
                    float b1, float b2, float eps, float stepSize, float invSqrtBc2, float l2) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i).add(pv.mul(l2));
            FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(b1).add(gv.mul(1 - b1));
            FloatVector vv = FloatVector.fromArray(S, v, vo + i).mul(b2).add(gv.mul(gv).mul(1 - b2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector denom = vv.sqrt().mul(invSqrtBc2).add(eps);
            pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, po + i);
        }
        return i;
    }
}
