package dev.lamina.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API bodies of {@link BnReluPoolKernels}'s plane kernels; loaded only when the incubator module is
 * present. Each gives exactly the scalar kernel's result (same float operations, same compares).
 */
final class VectorBnReluPool {
    private VectorBnReluPool() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int L = F.length();

    /**
     * Forward of one plane, as {@link BnReluPoolKernels#forwardPlaneScalar}. {@code bits} is scratch of at least
     * h·wd + 2·L ints, {@code pv} and {@code pq} of at least wd + L ints.
     */
    static void forwardPlane(float[] x, int xo, int h, int wd, float m, float r, float sc, float sh,
                             float[] out, byte[] slot, float[] xm, int o, int[] bits, int[] pv, int[] pq) {
        int s = h * wd, k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
            FloatVector y = FloatVector.fromArray(F, x, xo + k).sub(m).mul(r).mul(sc).add(sh).max(0f);
            y.reinterpretAsInts().and(0x7fffffff).intoArray(bits, k);
        }
        for (; k < s; k++) bits[k] = BnReluPoolKernels.reluBits(x[xo + k], m, r, sc, sh);
        int oh = h / 2, ow = wd / 2, span = 2 * ow;
        IntVector one = IntVector.broadcast(I, 1), two = IntVector.broadcast(I, 2), three = IntVector.broadcast(I, 3), zero = IntVector.zero(I);
        for (int i = 0; i < oh; i++) {
            int r0 = 2 * i * wd, r1 = r0 + wd;
            for (int j = 0; j < span; j += L) {
                IntVector a = IntVector.fromArray(I, bits, r0 + j), b = IntVector.fromArray(I, bits, r0 + j + 1);
                IntVector d0 = IntVector.fromArray(I, bits, r1 + j), d1 = IntVector.fromArray(I, bits, r1 + j + 1);
                VectorMask<Integer> t1 = b.compare(VectorOperators.GT, a), t2 = d1.compare(VectorOperators.GT, d0);
                IntVector m1 = a.max(b), m2 = d0.max(d1);
                VectorMask<Integer> tt = m2.compare(VectorOperators.GT, m1);
                IntVector v = m1.max(m2);
                IntVector code = zero.blend(one, t1).blend(two.blend(three, t2), tt);
                VectorMask<Integer> pos = v.compare(VectorOperators.GT, 0).and(v.compare(VectorOperators.LE, 0x7f800000));
                code = code.blend(code.add(BnReluPoolKernels.POSITIVE), pos);
                v.intoArray(pv, j);
                code.intoArray(pq, j);
            }
            int oi = o + i * ow;
            for (int j = 0; j < ow; j++) {
                int q = pq[2 * j];
                out[oi + j] = Float.intBitsToFloat(pv[2 * j]);
                slot[oi + j] = (byte) q;
                xm[oi + j] = x[xo + (2 * i + (q >> 1 & 1)) * wd + 2 * j + (q & 1)];
            }
        }
    }

    /**
     * {@link BnReluPoolKernels#inferencePlane} over whole vectors of outputs: the four window elements gathered
     * through {@code corner}, their maximum (minimum when not {@code up}), then normalized and rectified with the same
     * float operations; returns where the scalar tail starts.
     */
    static int inferencePlane(float[] x, int xo, int wd, int[] corner, float m, float r, float sc, float sh, boolean up, float[] out, int o) {
        int q = 0;
        for (int bound = F.loopBound(corner.length); q < bound; q += L) {
            FloatVector a = FloatVector.fromArray(F, x, xo, corner, q), b = FloatVector.fromArray(F, x, xo + 1, corner, q);
            FloatVector c = FloatVector.fromArray(F, x, xo + wd, corner, q), d = FloatVector.fromArray(F, x, xo + wd + 1, corner, q);
            FloatVector e = up ? a.max(b).max(c.max(d)) : a.min(b).min(c.min(d));
            e.sub(m).mul(r).mul(sc).add(sh).max(0f).intoArray(out, o + q);
        }
        return q;
    }

    /** gx = scale·(gy − m1 − ((x − m)·r)·m2) over whole vectors of one plane; returns where the scalar tail starts. */
    static int inputGrad(float[] gy, float[] x, int xp, float[] gx, int gxp, int s, float scale, float m1, float m2, float m, float r) {
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
            FloatVector xh = FloatVector.fromArray(F, x, xp + k).sub(m).mul(r);
            FloatVector.fromArray(F, gy, k).sub(m1).sub(xh.mul(m2)).mul(scale).intoArray(gx, gxp + k);
        }
        return k;
    }
}
