package dev.lamina.backend.cpu;

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
    static int lstmForward(float[] a, int ao, float[] cPrev, int cpo, float[] c, int co, float[] tc, int to, float[] h, int ho, int hidden, int count) {
        int done = S.loopBound(count), len = S.length();
        // Passes 0-3 activate the gates i, f, g, o in place, pass 4 gives tanh(c): one activation call site (see
        // VectorMath.activate), the cell update just before the last pass.
        for (int pass = 0; pass < 5; pass++) {
            boolean cell = pass == 4;
            if (cell) {
                for (int j = 0; j < done; j += len) {
                    FloatVector i = FloatVector.fromArray(S, a, ao + j), g = FloatVector.fromArray(S, a, ao + 2 * hidden + j);
                    FloatVector.fromArray(S, a, ao + hidden + j).fma(FloatVector.fromArray(S, cPrev, cpo + j), i.mul(g)).intoArray(c, co + j);
                }
            }
            int from = cell ? co : ao + pass * hidden;
            VectorMath.activate(S, pass == 2 || cell, cell ? c : a, from, cell ? tc : a, cell ? to : from, done);
        }
        for (int j = 0; j < done; j += len) {
            FloatVector.fromArray(S, a, ao + 3 * hidden + j).mul(FloatVector.fromArray(S, tc, to + j)).intoArray(h, ho + j);
        }
        return done;
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
        int done = S.loopBound(count), len = S.length();
        // Pass q writes its gate's argument into gi and activates it there: r and z are σ(gi + gh), n is
        // tanh(gi_n + r·hn) with hn = gh_n + b_hn kept in gh. One activation call site (see lstmForward).
        for (int q = 0; q < 3; q++) {
            int at = gio + q * hidden;
            for (int j = 0; j < done; j += len) {
                FloatVector x = FloatVector.fromArray(S, gi, at + j);
                if (q < 2) {
                    x = x.add(FloatVector.fromArray(S, gh, gho + q * hidden + j));
                } else {
                    FloatVector hn = FloatVector.fromArray(S, gh, gho + 2 * hidden + j);
                    if (bhn != null) hn = hn.add(FloatVector.fromArray(S, bhn, bo + j));
                    hn.intoArray(gh, gho + 2 * hidden + j);
                    x = FloatVector.fromArray(S, gi, gio + j).fma(hn, x);
                }
                x.intoArray(gi, at + j);
            }
            VectorMath.activate(S, q == 2, gi, at, gi, at, done);
        }
        for (int j = 0; j < done; j += len) {
            FloatVector z = FloatVector.fromArray(S, gi, gio + hidden + j), n = FloatVector.fromArray(S, gi, gio + 2 * hidden + j);
            z.fma(FloatVector.fromArray(S, hPrev, hpo + j).sub(n), n).intoArray(h, ho + j);
        }
        return done;
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
