package dev.lamina.onnx;

import dev.lamina.tensor.Tensor;

/**
 * AveragePool with dilations (opset 19), inference only: Lamina's pooling kernel has no dilated average. Each
 * window takes every {@code dilation}-th element; its divisor counts the taps inside the input, or with
 * {@code count_include_pad} the taps inside the padded input. With {@code ceil_mode}, windows that would start in
 * the end padding are dropped (ONNX's rule); a window holding no input element gives 0.
 */
final class DilatedAvgPool {
    private DilatedAvgPool() {}

    /**
     * @param x [N, C, L] or [N, C, H, W]
     * @param kernel, strides, dilations, begin, end one value per spatial dimension (pads at the start and end)
     * @return [N, C, OL] or [N, C, OH, OW]
     */
    static Tensor pool(Tensor x, int[] kernel, int[] strides, int[] dilations, int[] begin, int[] end, boolean ceil, boolean countIncludePad) {
        boolean oneD = x.dim() == 3;
        int[] k = lift(kernel, oneD, 1), s = lift(strides, oneD, 1), d = lift(dilations, oneD, 1), pb = lift(begin, oneD, 0), pe = lift(end, oneD, 0);
        Tensor xc = x.contiguous();
        int n = xc.size(0), c = xc.size(1), h = oneD ? 1 : xc.size(2), w = xc.size(xc.dim() - 1);
        int oh = outSize(h, k[0], s[0], d[0], pb[0], pe[0], ceil), ow = outSize(w, k[1], s[1], d[1], pb[1], pe[1], ceil);
        // per output row / column: the taps inside the input and how many taps the divisor counts
        int[][] rows = new int[oh][], cols = new int[ow][];
        int[] rowCount = new int[oh], colCount = new int[ow];
        for (int i = 0; i < oh; i++) {
            rows[i] = taps(i, h, k[0], s[0], d[0], pb[0]);
            rowCount[i] = countIncludePad ? padded(i, h, k[0], s[0], d[0], pb[0], pe[0]) : rows[i].length;
        }
        for (int j = 0; j < ow; j++) {
            cols[j] = taps(j, w, k[1], s[1], d[1], pb[1]);
            colCount[j] = countIncludePad ? padded(j, w, k[1], s[1], d[1], pb[1], pe[1]) : cols[j].length;
        }
        float[] xd = xc.toArray();
        float[] y = new float[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            int xo = p * h * w, yo = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = 0;
                    for (int r : rows[i]) for (int q : cols[j]) sum += xd[xo + r * w + q];
                    int count = rowCount[i] * colCount[j];
                    y[yo + i * ow + j] = rows[i].length == 0 || cols[j].length == 0 || count == 0 ? 0f : (float) (sum / count);
                }
            }
        }
        return oneD ? Tensor.of(y, n, c, ow) : Tensor.of(y, n, c, oh, ow);
    }

    private static int[] lift(int[] v, boolean oneD, int fill) {
        return oneD ? new int[] {fill, v[0]} : v;
    }

    /** floor (or ceil) of (in + pads − dilated kernel) / stride + 1; with ceil, a last window starting in the end padding is dropped. */
    static int outSize(int in, int k, int s, int d, int pb, int pe, boolean ceil) {
        long span = (long) (k - 1) * d + 1, room = (long) in + pb + pe - span;
        if (room < 0) throw new IllegalArgumentException("padded input " + (in + pb + pe) + " is smaller than the dilated kernel " + span);
        long out = (ceil ? Math.ceilDiv(room, s) : room / s) + 1;
        if (ceil && (out - 1) * s >= (long) in + pb) out--;
        return (int) out;
    }

    /** Input positions of output {@code o}'s taps along one axis (those inside [0, in)). */
    private static int[] taps(int o, int in, int k, int s, int d, int pb) {
        int start = o * s - pb, count = 0;
        int[] t = new int[k];
        for (int m = 0; m < k; m++) {
            int r = start + m * d;
            if (r >= 0 && r < in) t[count++] = r;
        }
        return java.util.Arrays.copyOf(t, count);
    }

    /** Number of output {@code o}'s taps inside the padded input [−pb, in + pe). */
    private static int padded(int o, int in, int k, int s, int d, int pb, int pe) {
        int start = o * s - pb, count = 0;
        for (int m = 0; m < k; m++) {
            int r = start + m * d;
            if (r >= -pb && r < in + pe) count++;
        }
        return count;
    }
}
