package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Column-wise maximum of rows, the vertical pass of a separable max pool: {@code m[j] = max(m[j], x[xo + j])}. */
public final class MaxRows {
    private MaxRows() {}

    /** m[0, n) = max(m, x[xo, xo + n)) elementwise, with {@link Math#max(float, float)}'s semantics (NaN wins, +0 > −0). */
    public static void maxInto(float[] x, int xo, float[] m, int n) {
        int j = CpuFeatures.VECTOR ? Vectors.maxInto(x, xo, m, n) : 0;
        for (; j < n; j++) m[j] = Math.max(m[j], x[xo + j]);
    }

    private static final class Vectors {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        static int maxInto(float[] x, int xo, float[] m, int n) {
            int j = 0;
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                FloatVector.fromArray(S, m, j).max(FloatVector.fromArray(S, x, xo + j)).intoArray(m, j);
            }
            return j;
        }
    }
}
