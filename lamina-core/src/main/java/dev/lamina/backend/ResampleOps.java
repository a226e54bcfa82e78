package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.tensor.Tensor;

/**
 * Resampling of the last two dimensions of [N, C, H, W] planes through per-axis tables (upsampling nearest,
 * linear and bilinear, ONNX Resize; a 1-d resample comes as H = 1 with an identity {@link Table}). The map is
 * linear in x, so the backward needs only the tables. The caller ({@code nn.functional.UpsampleOp}) builds and
 * checks the tables and the shapes.
 *
 * <p>The default bodies resample separably with {@link #indexSelect}: along W, then along H; their backward runs
 * the transposed steps with {@link #indexSelectBackward}.
 */
public interface ResampleOps extends TensorOps {
    /**
     * How one output axis reads its input axis of size {@code in}: output position o takes
     * {@code w0[o]·x[i0[o]] + w1[o]·x[i1[o]]}, or {@code x[i0[o]]} when {@code w0} is null (nearest). Indices lie
     * in [0, in); all arrays have the output's length.
     */
    record Table(int in, int[] i0, int[] i1, float[] w0, float[] w1) {
        public int out() {
            return i0.length;
        }

        public boolean isLinear() {
            return w0 != null;
        }
    }

    /**
     * @param x [N, C, ah.in, aw.in]
     * @param ah the H table, aw the W table: both nearest or both linear
     * @return [N, C, ah.out, aw.out]
     */
    default Tensor resample(Tensor x, Table ah, Table aw) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1);
            Tensor p = x.reshape(n * c, ah.in(), aw.in());
            Tensor y = along(along(p, 2, aw), 1, ah);
            return y.reshape(n, c, ah.out(), aw.out());
        }
    }

    /** The gradient of {@link #resample}: g [N, C, ah.out, aw.out] → [N, C, ah.in, aw.in]. */
    default Tensor resampleBackward(Tensor g, Table ah, Table aw) {
        try (var s = Autograd.noGrad()) {
            int n = g.size(0), c = g.size(1);
            Tensor p = g.reshape(n * c, ah.out(), aw.out());
            Tensor gi = alongBackward(alongBackward(p, 1, ah), 2, aw);
            return gi.reshape(n, c, ah.in(), aw.in());
        }
    }

    /** x [P, A, B] resampled along axis 1 or 2 through t. */
    private Tensor along(Tensor x, int axis, Table t) {
        Tensor a = indexSelect(x, axis, t.i0());
        if (!t.isLinear()) return a;
        int[] out = a.shape();
        return binary(Binary.ADD, binary(Binary.MUL, a, weights(t.w0(), axis), out),
                binary(Binary.MUL, indexSelect(x, axis, t.i1()), weights(t.w1(), axis), out), out);
    }

    /** The transpose of {@link #along}: g [P, ...] with t.out along axis → t.in along axis. */
    private Tensor alongBackward(Tensor g, int axis, Table t) {
        int[] in = g.shape();
        in[axis] = t.in();
        if (!t.isLinear()) return indexSelectBackward(g, axis, t.i0(), in);
        int[] out = g.shape();
        Tensor g0 = indexSelectBackward(binary(Binary.MUL, g, weights(t.w0(), axis), out), axis, t.i0(), in);
        Tensor g1 = indexSelectBackward(binary(Binary.MUL, g, weights(t.w1(), axis), out), axis, t.i1(), in);
        return binary(Binary.ADD, g0, g1, in);
    }

    /** Weights as [1, n, 1] (axis 1) or [1, 1, n] (axis 2), to broadcast over a [P, A, B] tensor. */
    private Tensor weights(float[] w, int axis) {
        return axis == 1 ? wrap(w.clone(), 1, w.length, 1) : wrap(w.clone(), 1, 1, w.length);
    }
}
