package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Pooling module ops on [N, C, H, W] planes (1-d pools come as [N, C, 1, L] with a 1-high window; global pools as
 * [N, C, S] with S the product of the spatial sizes): max and average pooling over sliding windows, adaptive average
 * and max pooling, global average and max pooling, each forward with the backward piece its gradient rule calls.
 * Shapes, windows and output sizes are checked by the caller ({@code nn.functional.PoolOps}).
 *
 * <p>Max pools return the arg-max of every output as a float tensor of flat plane positions h·W + w (PyTorch's
 * {@code return_indices}; exact for planes of up to 2<sup>24</sup> elements), which is what their backward takes.
 *
 * <p>The default bodies gather every window through an index table ({@link #indexSelect} on the planes with one
 * extra column, −∞ for max and 0 for average, standing for padding and the missing positions of short windows),
 * then reduce it ({@link #extremum}, {@link #sumAxis}); their backward scatters through the same table
 * ({@link #gatherBackward}, {@link #indexSelectBackward}).
 */
public interface PoolOps extends TensorOps {

    /**
     * A checked pooling window on an h × w plane giving oh × ow outputs: kernel, stride, padding and dilation along H
     * and W (PyTorch's loop: window (i, j) starts at (i·sh − ph, j·sw − pw) and steps by the dilation).
     */
    record Geometry(int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        /** Dilated kernel extent along H. */
        public int effH() {
            return dh * (kh - 1) + 1;
        }

        /** Dilated kernel extent along W. */
        public int effW() {
            return dw * (kw - 1) + 1;
        }

        /** 2×2, stride 2, no padding, no dilation, and no clipped windows: the case with an unrolled kernel. */
        public boolean isFused2x2() {
            return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && oh == h / 2 && ow == w / 2;
        }
    }

    /** A max pool's values and the flat plane position (as a float) of each output's maximum, both the output's shape. */
    record Pooled(Tensor output, Tensor indices) {}

    // ------------------------------------------------------------------------------------------------ max

    /**
     * Max pooling: padding is never selected, the first maximum in row-major window order wins.
     *
     * @param x [N, C, H, W]
     * @return output and indices [N, C, OH, OW]
     */
    default Pooled maxPool2d(Tensor x, Geometry g) {
        return maxOverTable(x, windowTable(g), g.kh() * g.kw(), g.oh(), g.ow());
    }

    /** {@link #maxPool2d}'s output alone (inference: a backend may skip the indices). [N, C, H, W] → [N, C, OH, OW]. */
    default Tensor maxPool2dValues(Tensor x, Geometry g) {
        return maxPool2d(x, g).output();
    }

    /**
     * The gradient of every max pool: each output gradient added to its arg-max input.
     *
     * @param gy [N, C, ...outputs]
     * @param indices gy's shape, flat positions within each input plane
     * @param inShape [N, C, ...] the input's shape
     * @return inShape
     */
    default Tensor maxPoolBackward(Tensor gy, Tensor indices, int[] inShape) {
        int planes = inShape[0] * inShape[1], plane = planeSize(inShape), outs = gy.numel() / Math.max(1, planes);
        try (var s = Autograd.noGrad()) {
            float[] f = toHost(indices);
            int[] idx = new int[f.length];
            for (int i = 0; i < f.length; i++) idx[i] = f[i] < 0 ? plane : (int) f[i];
            Tensor gi = gatherBackward(gy.reshape(planes, outs), 1, idx, new int[] {planes, plane + 1});
            return copy(gi.narrow(1, 0, plane)).reshape(inShape);
        }
    }

    // ------------------------------------------------------------------------------------------------ average

    /**
     * Average pooling (dilation 1): the sum over the window clipped to the input divided by the window clipped to
     * the padded input ({@code countIncludePad}) or to the input; a window entirely outside gives 0.
     *
     * @param x [N, C, H, W]
     * @return [N, C, OH, OW]
     */
    default Tensor avgPool2d(Tensor x, Geometry g, boolean countIncludePad) {
        return sumOverTable(x, windowTable(g), g.kh() * g.kw(), g.oh(), g.ow(), avgDivisors(g, countIncludePad));
    }

    /** The gradient of {@link #avgPool2d}: gy [N, C, OH, OW] → [N, C, H, W]. */
    default Tensor avgPool2dBackward(Tensor gy, Geometry g, boolean countIncludePad) {
        return sumOverTableBackward(gy, windowTable(g), g.kh() * g.kw(), g.h(), g.w(), avgDivisors(g, countIncludePad));
    }

    // ------------------------------------------------------------------------------------------------ adaptive

    /** PyTorch's adaptive bin start: floor(i·in/out). */
    static int binStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** PyTorch's adaptive bin end: ceil((i+1)·in/out). */
    static int binEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    /**
     * Adaptive average pooling: output (i, j) averages rows [binStart(i, H, oh), binEnd(i, H, oh)) and the columns
     * likewise. [N, C, H, W] → [N, C, oh, ow].
     */
    default Tensor adaptiveAvgPool2d(Tensor x, int oh, int ow) {
        int h = x.size(2), w = x.size(3);
        return sumOverTable(x, adaptiveTable(h, w, oh, ow), adaptiveK(h, w, oh, ow), oh, ow, adaptiveDivisors(h, w, oh, ow));
    }

    /** The gradient of {@link #adaptiveAvgPool2d}: gy [N, C, oh, ow] → [N, C, h, w]. */
    default Tensor adaptiveAvgPool2dBackward(Tensor gy, int h, int w) {
        int oh = gy.size(2), ow = gy.size(3);
        return sumOverTableBackward(gy, adaptiveTable(h, w, oh, ow), adaptiveK(h, w, oh, ow), h, w, adaptiveDivisors(h, w, oh, ow));
    }

    /** Adaptive max pooling with {@link #adaptiveAvgPool2d}'s bins; the first maximum wins. [N, C, H, W] → [N, C, oh, ow]. */
    default Pooled adaptiveMaxPool2d(Tensor x, int oh, int ow) {
        int h = x.size(2), w = x.size(3);
        return maxOverTable(x, adaptiveTable(h, w, oh, ow), adaptiveK(h, w, oh, ow), oh, ow);
    }

    // ------------------------------------------------------------------------------------------------ global

    /** The mean of each plane: [N, C, S] → [N, C]. */
    default Tensor globalAvgPool(Tensor x) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), len = x.size(2);
            return binaryScalar(Binary.DIV, sumAxis(x, 2), len).reshape(n, c);
        }
    }

    /** The gradient of {@link #globalAvgPool}: gy [N, C] → [N, C, S], gy/S everywhere. */
    default Tensor globalAvgPoolBackward(Tensor gy, int s) {
        try (var scope = Autograd.noGrad()) {
            int n = gy.size(0), c = gy.size(1);
            Tensor each = binaryScalar(Binary.MUL, gy.reshape(n, c, 1), 1f / s);
            return binary(Binary.ADD, each, wrap(new float[n * c * s], n, c, s), new int[] {n, c, s});
        }
    }

    /** The maximum of each plane and its first position: [N, C, S] → output and indices [N, C]. */
    default Pooled globalMaxPool(Tensor x) {
        int s = x.size(2);
        int[] table = new int[s];
        for (int i = 0; i < s; i++) table[i] = i;
        Pooled p = maxOverTable(x.reshape(x.size(0), x.size(1), 1, s), table, s, 1, 1);
        return new Pooled(p.output().reshape(x.size(0), x.size(1)), p.indices().reshape(x.size(0), x.size(1)));
    }

    // ------------------------------------------------------------------------------------------------ the tables

    /** Product of the sizes after the channel dimension. */
    private static int planeSize(int[] shape) {
        int s = 1;
        for (int d = 2; d < shape.length; d++) s *= shape[d];
        return s;
    }

    /**
     * Per output (i, j) in row-major order, kh·kw flat input positions in window order; −1 for a position in the
     * padding or past the input (ceil mode).
     */
    private static int[] windowTable(Geometry g) {
        int k = g.kh() * g.kw();
        int[] t = new int[g.oh() * g.ow() * k];
        int q = 0;
        for (int i = 0; i < g.oh(); i++) {
            for (int j = 0; j < g.ow(); j++) {
                for (int a = 0; a < g.kh(); a++) {
                    int r = i * g.sh() - g.ph() + a * g.dh();
                    for (int b = 0; b < g.kw(); b++) {
                        int c = j * g.sw() - g.pw() + b * g.dw();
                        t[q++] = r >= 0 && r < g.h() && c >= 0 && c < g.w() ? r * g.w() + c : -1;
                    }
                }
            }
        }
        return t;
    }

    /** 1/divisor per output of an average pool (0 for a window entirely outside the input). */
    private static float[] avgDivisors(Geometry g, boolean countIncludePad) {
        float[] inv = new float[g.oh() * g.ow()];
        for (int i = 0; i < g.oh(); i++) {
            int s = i * g.sh() - g.ph(), e = Math.min(s + g.kh(), g.h() + g.ph()), hs = Math.max(s, 0), he = Math.min(e, g.h());
            for (int j = 0; j < g.ow(); j++) {
                int s2 = j * g.sw() - g.pw(), e2 = Math.min(s2 + g.kw(), g.w() + g.pw()), ws = Math.max(s2, 0), we = Math.min(e2, g.w());
                int count = countIncludePad ? (e - s) * (e2 - s2) : (he - hs) * (we - ws);
                inv[i * g.ow() + j] = he <= hs || we <= ws || count <= 0 ? 0f : 1f / count;
            }
        }
        return inv;
    }

    /** The largest adaptive bin, rows × columns. */
    private static int adaptiveK(int h, int w, int oh, int ow) {
        int bh = 0, bw = 0;
        for (int i = 0; i < oh; i++) bh = Math.max(bh, binEnd(i, h, oh) - binStart(i, h, oh));
        for (int j = 0; j < ow; j++) bw = Math.max(bw, binEnd(j, w, ow) - binStart(j, w, ow));
        return bh * bw;
    }

    /** Per adaptive bin in row-major order its positions row-major, padded with −1 to {@link #adaptiveK}. */
    private static int[] adaptiveTable(int h, int w, int oh, int ow) {
        int k = adaptiveK(h, w, oh, ow);
        int[] t = new int[oh * ow * k];
        Arrays.fill(t, -1);
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int q = (i * ow + j) * k;
                for (int r = binStart(i, h, oh); r < binEnd(i, h, oh); r++) {
                    for (int c = binStart(j, w, ow); c < binEnd(j, w, ow); c++) t[q++] = r * w + c;
                }
            }
        }
        return t;
    }

    private static float[] adaptiveDivisors(int h, int w, int oh, int ow) {
        float[] inv = new float[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                inv[i * ow + j] = 1f / ((binEnd(i, h, oh) - binStart(i, h, oh)) * (binEnd(j, w, ow) - binStart(j, w, ow)));
            }
        }
        return inv;
    }

    /** The planes [N·C, H·W + 1] of x [N, C, H, W] with one more column holding {@code pad}. */
    private Tensor padded(Tensor x, float pad) {
        int planes = x.size(0) * x.size(1), hw = x.numel() / Math.max(1, planes);
        float[] col = new float[planes];
        Arrays.fill(col, pad);
        return cat(List.of(x.reshape(planes, hw), wrap(col, planes, 1)), 1);
    }

    /** −1 entries of a table pointed at the extra column {@code hw}. */
    private static int[] toColumns(int[] table, int hw) {
        int[] t = table.clone();
        for (int i = 0; i < t.length; i++) if (t[i] < 0) t[i] = hw;
        return t;
    }

    private Pooled maxOverTable(Tensor x, int[] table, int k, int oh, int ow) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3), planes = n * c, outs = oh * ow;
            Tensor windows = indexSelect(padded(x, Float.NEGATIVE_INFINITY), 1, toColumns(table, hw)).reshape(planes, outs, k);
            Extremum m = extremum(windows, 2, true);
            float[] local = toHost(m.indices()), pos = new float[local.length];
            for (int p = 0; p < planes; p++) {
                for (int o = 0; o < outs; o++) {
                    int at = table[o * k + (int) local[p * outs + o]];
                    for (int q = 0; at < 0 && q < k; q++) at = table[o * k + q]; // all −∞: the first real position, as a scan would
                    pos[p * outs + o] = at;
                }
            }
            return new Pooled(m.values().reshape(n, c, oh, ow), wrap(pos, n, c, oh, ow));
        }
    }

    private Tensor sumOverTable(Tensor x, int[] table, int k, int oh, int ow, float[] inv) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3), planes = n * c, outs = oh * ow;
            Tensor windows = indexSelect(padded(x, 0f), 1, toColumns(table, hw)).reshape(planes, outs, k);
            Tensor sums = sumAxis(windows, 2).reshape(planes, outs);
            return binary(Binary.MUL, sums, wrap(inv.clone(), 1, outs), new int[] {planes, outs}).reshape(n, c, oh, ow);
        }
    }

    private Tensor sumOverTableBackward(Tensor gy, int[] table, int k, int h, int w, float[] inv) {
        try (var s = Autograd.noGrad()) {
            int n = gy.size(0), c = gy.size(1), planes = n * c, outs = inv.length, hw = h * w;
            Tensor scaled = binary(Binary.MUL, gy.reshape(planes, outs), wrap(inv.clone(), 1, outs), new int[] {planes, outs});
            int[] repeat = new int[outs * k];
            for (int i = 0; i < repeat.length; i++) repeat[i] = i / k;
            Tensor spread = indexSelect(scaled, 1, repeat);
            Tensor gi = indexSelectBackward(spread, 1, toColumns(table, hw), new int[] {planes, hw + 1});
            return copy(gi.narrow(1, 0, hw)).reshape(n, c, h, w);
        }
    }
}
