package dev.lamina.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API body of {@link SmallConv}; loaded only when the incubator module is present. */
final class VectorSmallConv {
    private VectorSmallConv() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    /**
     * Four output planes o..o+3 at once: y[yo + q·ohw + p] = b[q] + Σ_t w[wo + q·rows + t]·col[t·ohw + p] (fused
     * multiply-adds in tap order, as SmallConv's scalar loop) over whole vectors of [0, ohw); returns where the
     * scalar tail starts. Two column vectors per step and four planes make eight independent accumulator chains,
     * so the loop is not bound by the multiply-add latency; each column vector loaded serves four planes.
     */
    static int combine4(float[] col, int rows, int ohw, float[] w, int wo, float b0, float b1, float b2, float b3,
                        float[] y, int yo) {
        int p = 0, l = F.length();
        int w1 = wo + rows, w2 = w1 + rows, w3 = w2 + rows;
        for (int bound = ohw - 2 * l; p <= bound; p += 2 * l) {
            FloatVector a0 = FloatVector.broadcast(F, b0), a1 = FloatVector.broadcast(F, b1);
            FloatVector a2 = FloatVector.broadcast(F, b2), a3 = FloatVector.broadcast(F, b3);
            FloatVector c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            for (int t = 0; t < rows; t++) {
                FloatVector x0 = FloatVector.fromArray(F, col, t * ohw + p), x1 = FloatVector.fromArray(F, col, t * ohw + p + l);
                FloatVector v0 = FloatVector.broadcast(F, w[wo + t]), v1 = FloatVector.broadcast(F, w[w1 + t]);
                FloatVector v2 = FloatVector.broadcast(F, w[w2 + t]), v3 = FloatVector.broadcast(F, w[w3 + t]);
                a0 = x0.fma(v0, a0);
                c0 = x1.fma(v0, c0);
                a1 = x0.fma(v1, a1);
                c1 = x1.fma(v1, c1);
                a2 = x0.fma(v2, a2);
                c2 = x1.fma(v2, c2);
                a3 = x0.fma(v3, a3);
                c3 = x1.fma(v3, c3);
            }
            a0.intoArray(y, yo + p);
            c0.intoArray(y, yo + p + l);
            a1.intoArray(y, yo + ohw + p);
            c1.intoArray(y, yo + ohw + p + l);
            a2.intoArray(y, yo + 2 * ohw + p);
            c2.intoArray(y, yo + 2 * ohw + p + l);
            a3.intoArray(y, yo + 3 * ohw + p);
            c3.intoArray(y, yo + 3 * ohw + p + l);
        }
        for (int bound = ohw - l; p <= bound; p += l) {
            FloatVector a0 = FloatVector.broadcast(F, b0), a1 = FloatVector.broadcast(F, b1);
            FloatVector a2 = FloatVector.broadcast(F, b2), a3 = FloatVector.broadcast(F, b3);
            for (int t = 0; t < rows; t++) {
                FloatVector x0 = FloatVector.fromArray(F, col, t * ohw + p);
                a0 = x0.fma(FloatVector.broadcast(F, w[wo + t]), a0);
                a1 = x0.fma(FloatVector.broadcast(F, w[w1 + t]), a1);
                a2 = x0.fma(FloatVector.broadcast(F, w[w2 + t]), a2);
                a3 = x0.fma(FloatVector.broadcast(F, w[w3 + t]), a3);
            }
            a0.intoArray(y, yo + p);
            a1.intoArray(y, yo + ohw + p);
            a2.intoArray(y, yo + 2 * ohw + p);
            a3.intoArray(y, yo + 3 * ohw + p);
        }
        return p;
    }

    /**
     * Σ_p g[go + p]·col[(t + q)·ohw + p] for q = 0..3 into out[oo + q], over whole vectors of [0, ohw) (four
     * independent chains, one g load for four taps); each chain's lanes are added in double in lane order (tmp:
     * scratch of 4·{@link #L} floats). Returns
     * where the scalar tail starts (the caller adds the tail).
     */
    static int dots4(float[] g, int go, float[] col, int t, int ohw, double[] out, int oo, float[] tmp) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int p = 0, r0 = t * ohw, r1 = r0 + ohw, r2 = r1 + ohw, r3 = r2 + ohw;
        for (int bound = F.loopBound(ohw); p < bound; p += F.length()) {
            FloatVector gv = FloatVector.fromArray(F, g, go + p);
            a0 = gv.fma(FloatVector.fromArray(F, col, r0 + p), a0);
            a1 = gv.fma(FloatVector.fromArray(F, col, r1 + p), a1);
            a2 = gv.fma(FloatVector.fromArray(F, col, r2 + p), a2);
            a3 = gv.fma(FloatVector.fromArray(F, col, r3 + p), a3);
        }
        // lanes through memory: a helper taking the vectors would get them boxed unless inlined
        int l = F.length();
        a0.intoArray(tmp, 0);
        a1.intoArray(tmp, l);
        a2.intoArray(tmp, 2 * l);
        a3.intoArray(tmp, 3 * l);
        for (int q = 0; q < 4; q++) {
            double s = 0;
            for (int lane = 0; lane < l; lane++) s += tmp[q * l + lane];
            out[oo + q] = s;
        }
        return p;
    }
}
