package dev.lamina.nn.functional;

import dev.lamina.kernels.VectorMath;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API bodies of {@link RnnKernels}: each processes whole vectors of hidden units and returns where the
 * scalar tail starts. Loaded only when the incubator module is present.
 */
final class VectorRnnKernels {
    private VectorRnnKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    // VectorMath, not lanewise(TANH/EXP): the same bits compiled or interpreted, so runs are reproducible
    private static FloatVector tanh(FloatVector x) {
        return VectorMath.tanh(x);
    }

    static int lstmForward(float[] a, int ao, float[] cPrev, int cpo, float[] c, int co, float[] tc, int to, float[] h, int ho, int hidden, int count) {
        int j = 0, bound = S.loopBound(count), len = S.length();
        for (; j < bound; j += len) {
            FloatVector i = sig(FloatVector.fromArray(S, a, ao + j));
            FloatVector f = sig(FloatVector.fromArray(S, a, ao + hidden + j));
            FloatVector g = tanh(FloatVector.fromArray(S, a, ao + 2 * hidden + j));
            FloatVector o = sig(FloatVector.fromArray(S, a, ao + 3 * hidden + j));
            i.intoArray(a, ao + j);
            f.intoArray(a, ao + hidden + j);
            g.intoArray(a, ao + 2 * hidden + j);
            o.intoArray(a, ao + 3 * hidden + j);
            FloatVector cv = f.fma(FloatVector.fromArray(S, cPrev, cpo + j), i.mul(g));
            FloatVector t = tanh(cv);
            cv.intoArray(c, co + j);
            t.intoArray(tc, to + j);
            o.mul(t).intoArray(h, ho + j);
        }
        return j;
    }

    /** 1 / (1 + exp(−x)). */
    private static FloatVector sig(FloatVector x) {
        return VectorMath.sigmoid(x);
    }

    static int lstmBackward(float[] a, int ao, float[] tc, int to, float[] cPrev, int cpo, float[] dh, int dho, float[] dc, int dco, float[] da, int dao, int hidden, int count) {
        int j = 0, bound = S.loopBound(count), len = S.length();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; j < bound; j += len) {
            FloatVector i = FloatVector.fromArray(S, a, ao + j);
            FloatVector f = FloatVector.fromArray(S, a, ao + hidden + j);
            FloatVector g = FloatVector.fromArray(S, a, ao + 2 * hidden + j);
            FloatVector o = FloatVector.fromArray(S, a, ao + 3 * hidden + j);
            FloatVector t = FloatVector.fromArray(S, tc, to + j);
            FloatVector d = FloatVector.fromArray(S, dh, dho + j);
            FloatVector dct = d.mul(o).mul(one.sub(t.mul(t))).add(FloatVector.fromArray(S, dc, dco + j));
            dct.mul(g).mul(i).mul(one.sub(i)).intoArray(da, dao + j);
            dct.mul(FloatVector.fromArray(S, cPrev, cpo + j)).mul(f).mul(one.sub(f)).intoArray(da, dao + hidden + j);
            dct.mul(i).mul(one.sub(g.mul(g))).intoArray(da, dao + 2 * hidden + j);
            d.mul(t).mul(o).mul(one.sub(o)).intoArray(da, dao + 3 * hidden + j);
            dct.mul(f).intoArray(dc, dco + j);
        }
        return j;
    }

    static int gruForward(float[] gi, int gio, float[] gh, int gho, float[] bhn, int bo, float[] hPrev, int hpo, float[] h, int ho, int hidden, int count) {
        int j = 0, bound = S.loopBound(count), len = S.length();
        for (; j < bound; j += len) {
            FloatVector r = sig(FloatVector.fromArray(S, gi, gio + j).add(FloatVector.fromArray(S, gh, gho + j)));
            FloatVector z = sig(FloatVector.fromArray(S, gi, gio + hidden + j).add(FloatVector.fromArray(S, gh, gho + hidden + j)));
            FloatVector hn = FloatVector.fromArray(S, gh, gho + 2 * hidden + j);
            if (bhn != null) hn = hn.add(FloatVector.fromArray(S, bhn, bo + j));
            FloatVector n = tanh(r.fma(hn, FloatVector.fromArray(S, gi, gio + 2 * hidden + j)));
            r.intoArray(gi, gio + j);
            z.intoArray(gi, gio + hidden + j);
            n.intoArray(gi, gio + 2 * hidden + j);
            hn.intoArray(gh, gho + 2 * hidden + j);
            FloatVector hp = FloatVector.fromArray(S, hPrev, hpo + j);
            z.fma(hp.sub(n), n).intoArray(h, ho + j);
        }
        return j;
    }

    static int gruBackward(float[] gi, int gio, float[] gh, int gho, float[] hPrev, int hpo, float[] dh, int dho,
                           float[] dgi, int dgio, float[] dgh, int dgho, float[] dhPrev, int dhpo, int hidden, int count) {
        int j = 0, bound = S.loopBound(count), len = S.length();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; j < bound; j += len) {
            FloatVector r = FloatVector.fromArray(S, gi, gio + j);
            FloatVector z = FloatVector.fromArray(S, gi, gio + hidden + j);
            FloatVector n = FloatVector.fromArray(S, gi, gio + 2 * hidden + j);
            FloatVector hn = FloatVector.fromArray(S, gh, gho + 2 * hidden + j);
            FloatVector d = FloatVector.fromArray(S, dh, dho + j);
            FloatVector dan = d.mul(one.sub(z)).mul(one.sub(n.mul(n)));
            FloatVector dar = dan.mul(hn).mul(r).mul(one.sub(r));
            FloatVector daz = d.mul(FloatVector.fromArray(S, hPrev, hpo + j).sub(n)).mul(z).mul(one.sub(z));
            dar.intoArray(dgi, dgio + j);
            daz.intoArray(dgi, dgio + hidden + j);
            dan.intoArray(dgi, dgio + 2 * hidden + j);
            dar.intoArray(dgh, dgho + j);
            daz.intoArray(dgh, dgho + hidden + j);
            dan.mul(r).intoArray(dgh, dgho + 2 * hidden + j);
            d.mul(z).intoArray(dhPrev, dhpo + j);
        }
        return j;
    }
}
