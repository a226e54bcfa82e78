package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Column-wise maximum of rows, the vertical pass of a separable max pool: {@code m[j] = max(m[j], x[xo + j])}. */
public final class MaxRows {
    private MaxRows() {}

    /** m[0, n) = max(m, x[xo, xo + n)) elementwise, with {@link Math#max(float, float)}'s semantics (NaN wins, +0 > −0). */
    public static void maxInto(float[] x, int xo, float[] m, int n) {
        maxInto(x, xo, m, 0, n);
    }

    /** m[mo, mo + n) = max(m[mo, mo + n), x[xo, xo + n)) elementwise, as {@link #maxInto(float[], int, float[], int)}. */
    public static void maxInto(float[] x, int xo, float[] m, int mo, int n) {
        int j = CpuFeatures.VECTOR ? Vectors.maxInto(x, xo, m, mo, n) : 0;
        for (; j < n; j++) m[mo + j] = Math.max(m[mo + j], x[xo + j]);
    }

    /** Padding columns {@link #windowMax} may read past the last window (whole vectors of a strided pass). */
    public static final int SLACK = 64;

    /**
     * The horizontal pass: y[yo + j] = max over t in [0, k) of row[j·stride + t], for j in [0, count), with
     * {@link Math#max(float, float)}'s semantics, the taps taken in order. {@code row} holds the window's columns
     * with the padding already in place (−∞), at least {@code (count − 1)·stride + k} of them and {@link #SLACK} more
     * (also −∞).
     */
    public static void windowMax(float[] row, int count, int stride, int k, float[] y, int yo) {
        int j = CpuFeatures.VECTOR ? Vectors.windowMax(row, count, stride, k, y, yo) : 0;
        for (; j < count; j++) {
            int c = j * stride;
            float m = row[c];
            for (int t = 1; t < k; t++) m = Math.max(m, row[c + t]);
            y[yo + j] = m;
        }
    }

    private static final class Vectors {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        /** {0, 2, 4, ...} (as a shuffle, {@link #EVEN}) and {0, 3, 6, ...}: the lanes of a stride-2 or stride-3 window pass. */
        static final int[] STRIDE2 = lanes(2), STRIDE3 = lanes(3);
        static final VectorShuffle<Float> EVEN = VectorShuffle.fromArray(S, STRIDE2, 0);

        static int[] lanes(int stride) {
            int[] map = new int[S.length()];
            for (int l = 0; l < map.length; l++) map[l] = l * stride;
            return map;
        }

        static int maxInto(float[] x, int xo, float[] m, int mo, int n) {
            int j = 0;
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                FloatVector.fromArray(S, m, mo + j).max(FloatVector.fromArray(S, x, xo + j)).intoArray(m, mo + j);
            }
            return j;
        }

        /**
         * Whole vectors of outputs of {@link MaxRows#windowMax}: contiguous loads at stride 1, the even lanes of two
         * contiguous loads at stride 2, gathers otherwise.
         */
        static int windowMax(float[] row, int count, int stride, int k, float[] y, int yo) {
            int j = 0, l = S.length(), bound = count - l;
            if (stride == 1) {
                for (; j <= bound; j += l) {
                    FloatVector m = FloatVector.fromArray(S, row, j);
                    for (int t = 1; t < k; t++) m = m.max(FloatVector.fromArray(S, row, j + t));
                    m.intoArray(y, yo + j);
                }
                return j;
            }
            if (stride == 2) {
                // the even lanes of two consecutive vectors (a two-vector rearrange: no gather)
                for (; j <= bound; j += l) {
                    int c = 2 * j;
                    FloatVector m = FloatVector.fromArray(S, row, c).rearrange(EVEN, FloatVector.fromArray(S, row, c + l));
                    for (int t = 1; t < k; t++) {
                        m = m.max(FloatVector.fromArray(S, row, c + t).rearrange(EVEN, FloatVector.fromArray(S, row, c + t + l)));
                    }
                    m.intoArray(y, yo + j);
                }
                return j;
            }
            int[] map = stride == 3 ? STRIDE3 : lanes(stride);
            for (; j <= bound; j += l) {
                int c = j * stride;
                FloatVector m = FloatVector.fromArray(S, row, c, map, 0);
                for (int t = 1; t < k; t++) m = m.max(FloatVector.fromArray(S, row, c + t, map, 0));
                m.intoArray(y, yo + j);
            }
            return j;
        }
    }
}
