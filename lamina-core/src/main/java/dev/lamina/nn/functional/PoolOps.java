package dev.lamina.nn.functional;

import dev.lamina.backend.PoolOps.Geometry;
import dev.lamina.backend.PoolOps.Pooled;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Pooling with PyTorch's semantics on NCHW (NCL for 1-d) tensors: max and average pooling over sliding windows,
 * adaptive average and max pooling, global average and max pooling. Each op pairs a forward with an explicit
 * backward; what the backward needs is named where it is cached (max pools keep the arg-max index of every
 * output, average pools only the geometry). This class checks shapes and windows, plans the output and records the
 * tape; the values come from the tensor's backend ({@link dev.lamina.backend.PoolOps}).
 *
 * <p>1-d pools run as 2-d pools over [N, C, 1, L] with a 1-wide kernel; inputs without a batch dimension
 * ([C, H, W] or [C, L]) are accepted as PyTorch does and get one.
 *
 * <p>Max pooling pads with −∞ (padding is never selected); among equal values the first in row-major window
 * order wins, and NaN propagates, as in PyTorch's CPU kernels. Indices are flat positions h·W + w within each
 * input plane (l for 1-d), as PyTorch's {@code return_indices=True}.
 *
 * <p>Errors name the caller ({@code who}: a layer passes its {@code describe()}), the expected input shape and
 * the actual one.
 */
public final class PoolOps {
    private PoolOps() {}

    /**
     * Geometry of a pooling window: kernel, stride, padding and dilation along H and W (1-d pools use
     * {@code kh = sh = dh = 1, ph = 0}), PyTorch's {@code ceil_mode}, and whether the op is a 1-d one (for
     * shapes and messages). Build with {@link #window2d} or {@link #window1d}, which check it.
     */
    public record Window(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceilMode, boolean oneD) {
        /** Output length along one axis (PyTorch's pooling_output_shape). */
        static int outSize(int in, int k, int s, int p, int d, boolean ceil) {
            long num = (long) in + 2L * p - ((long) d * (k - 1) + 1) + (ceil ? s - 1 : 0);
            long out = Math.floorDiv(num, s) + 1;
            if (ceil && (out - 1) * s >= (long) in + p) out--;
            return (int) Math.max(Math.min(out, Integer.MAX_VALUE), Integer.MIN_VALUE);
        }

        int outH(int h) {
            return outSize(h, kh, sh, ph, dh, ceilMode);
        }

        int outW(int w) {
            return outSize(w, kw, sw, pw, dw, ceilMode);
        }

        /** Dilated kernel extent along H. */
        int effH() {
            return dh * (kh - 1) + 1;
        }

        int effW() {
            return dw * (kw - 1) + 1;
        }

        boolean isFused2x2() {
            return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1;
        }

        /** This window on an h × w plane giving oh × ow outputs, as the backend takes it. */
        Geometry on(int h, int w, int oh, int ow) {
            return new Geometry(h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
        }

        /** "3x3, stride 2x2, padding 1x1" or "3, stride 2, padding 1" for 1-d windows (plus dilation/ceil when set). */
        public String describe() {
            StringBuilder sb = new StringBuilder("kernel ").append(pair(kh, kw)).append(", stride ").append(pair(sh, sw))
                    .append(", padding ").append(pair(ph, pw));
            if (dh != 1 || dw != 1) sb.append(", dilation ").append(pair(dh, dw));
            if (ceilMode) sb.append(", ceil_mode");
            return sb.toString();
        }

        private String pair(int h, int w) {
            return oneD ? Integer.toString(w) : h + "x" + w;
        }
    }

    /** Max-pool output with its arg-max indices. */
    public static final class WithIndices {
        private final Tensor output;
        private final Tensor argmax;
        private final int[] shape;

        WithIndices(Tensor output, Tensor argmax, int[] shape) {
            this.output = output;
            this.argmax = argmax;
            this.shape = shape;
        }

        public Tensor output() {
            return output;
        }

        /** PyTorch's indices as integer-valued floats, the output's shape (a fresh tensor each call). */
        public Tensor indices() {
            return argmax.reshape(shape).copy();
        }
    }

    // ------------------------------------------------------------------------------------------------ windows

    /**
     * A checked 2-d window. Each array holds one value (used for H and W) or two (H, W); {@code stride} null or
     * empty means the kernel, {@code padding} null means 0, {@code dilation} null means 1.
     *
     * @throws IllegalArgumentException for non-positive kernel, stride or dilation, negative padding, or
     *     padding larger than half the kernel (PyTorch's rule); the message starts with {@code who}
     */
    public static Window window2d(String who, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] k = pair(who, "kernel", kernel, null);
        int[] s = pair(who, "stride", stride, k);
        int[] p = pair(who, "padding", padding, new int[] {0, 0});
        int[] d = pair(who, "dilation", dilation, new int[] {1, 1});
        return check(who, new Window(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], ceilMode, false));
    }

    /** A checked 1-d window; {@code stride} ≤ 0 means the kernel. */
    public static Window window1d(String who, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return check(who, new Window(1, kernel, 1, stride <= 0 ? kernel : stride, 0, padding, 1, dilation, ceilMode, true));
    }

    private static int[] pair(String who, String what, int[] v, int[] dflt) {
        if (v == null || v.length == 0) {
            if (dflt == null) throw new IllegalArgumentException(who + ": " + what + " size is required");
            return dflt.clone();
        }
        if (v.length == 1) return new int[] {v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException(who + ": " + what + " must have 1 or 2 values, got " + v.length);
    }

    private static Window check(String who, Window w) {
        if (w.kh <= 0 || w.kw <= 0) throw new IllegalArgumentException(who + ": kernel size must be positive, got " + w.pair(w.kh, w.kw));
        if (w.sh <= 0 || w.sw <= 0) throw new IllegalArgumentException(who + ": stride must be positive, got " + w.pair(w.sh, w.sw));
        if (w.dh <= 0 || w.dw <= 0) throw new IllegalArgumentException(who + ": dilation must be positive, got " + w.pair(w.dh, w.dw));
        if (w.ph < 0 || w.pw < 0) throw new IllegalArgumentException(who + ": padding must be non-negative, got " + w.pair(w.ph, w.pw));
        if (w.ph > w.kh / 2 || w.pw > w.kw / 2) {
            throw new IllegalArgumentException(who + ": padding " + w.pair(w.ph, w.pw) + " must be at most half the kernel size "
                    + w.pair(w.kh, w.kw) + " (at most " + w.pair(w.kh / 2, w.kw / 2) + ")");
        }
        return w;
    }

    // ------------------------------------------------------------------------------------------------ shapes

    /** An input brought to [N, C, H, W] (contiguous) plus what is needed to shape the result back. */
    private record Input4(Tensor x, int n, int c, int h, int w, boolean batched, boolean oneD) {
        int planes() {
            return n * c;
        }

        /** The result shape for an output plane of oh x ow. */
        int[] shape(int oh, int ow) {
            if (oneD) return batched ? new int[] {n, c, ow} : new int[] {c, ow};
            return batched ? new int[] {n, c, oh, ow} : new int[] {c, oh, ow};
        }
    }

    private static String expected(boolean oneD, String h, String w) {
        return oneD ? "[N, C, " + w + "] or [C, " + w + "]" : "[N, C, " + h + ", " + w + "] or [C, " + h + ", " + w + "]";
    }

    private static ShapeException error(String who, String expected, Tensor actual, String detail) {
        return new ShapeException(who + ": expected input of shape " + expected + ", got " + Shape.str(actual.shape())
                + (detail.isEmpty() ? "" : ": " + detail));
    }

    private static Input4 to4d(String who, Tensor x, boolean oneD, String expected) {
        int spatial = oneD ? 1 : 2;
        int r = x.dim();
        if (r != spatial + 1 && r != spatial + 2) throw error(who, expected, x, "wrong rank " + r);
        boolean batched = r == spatial + 2;
        int[] s = x.shape();
        int n = batched ? s[0] : 1, c = s[batched ? 1 : 0];
        int h = oneD ? 1 : s[r - 2], w = s[r - 1];
        Tensor x4 = (batched && !oneD) ? x : x.reshape(n, c, h, w);
        return new Input4(x4.contiguous(), n, c, h, w, batched, oneD);
    }

    /** Checks the window fits the padded input and gives a positive output; returns {oh, ow}. */
    private static int[] outputSize(String who, Tensor x, Input4 in, Window w) {
        int oh = w.outH(in.h), ow = w.outW(in.w);
        boolean fits = (long) in.h + 2L * w.ph >= w.effH() && (long) in.w + 2L * w.pw >= w.effW();
        if (!fits || oh <= 0 || ow <= 0) {
            int minH = Math.max(1, w.effH() - 2 * w.ph), minW = Math.max(1, w.effW() - 2 * w.pw);
            String padded = w.oneD ? Integer.toString(in.w + 2 * w.pw) : (in.h + 2 * w.ph) + "x" + (in.w + 2 * w.pw);
            String kernel = w.oneD ? Integer.toString(w.effW()) : w.effH() + "x" + w.effW();
            String outS = w.oneD ? Integer.toString(ow) : oh + "x" + ow;
            throw error(who, expected(w.oneD, "H >= " + minH, (w.oneD ? "L >= " : "W >= ") + minW), x,
                    "the window (" + w.describe() + ") spans " + kernel + ", more than the padded input " + padded
                            + "; output size would be " + outS);
        }
        return new int[] {oh, ow};
    }

    // ------------------------------------------------------------------------------------------------ max pool

    /** {@code F.max_pool2d(x, kernel, stride, padding)}: [N, C, H, W] or [C, H, W] → [N, C, OH, OW]. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPoolValues("max_pool2d", x, window2d("max_pool2d", new int[] {kernel}, new int[] {stride}, new int[] {padding}, null, false));
    }

    /** {@code F.max_pool1d(x, kernel, stride, padding)}: [N, C, L] or [C, L] → [N, C, OL]. */
    public static Tensor maxPool1d(Tensor x, int kernel, int stride, int padding) {
        return maxPoolValues("max_pool1d", x, window1d("max_pool1d", kernel, stride, padding, 1, false));
    }

    /**
     * Max pooling with any checked window (1-d when {@code w.oneD()}), keeping the arg-max indices for backward.
     *
     * @param x [N, C, H, W] or [C, H, W] (1-d: [N, C, L] or [C, L])
     * @return output [N, C, OH, OW] (1-d: [N, C, OL]; no N when the input had none) and its indices
     */
    public static WithIndices maxPool(String who, Tensor x, Window w) {
        Input4 in = to4d(who, x, w.oneD, expected(w.oneD, "H", w.oneD ? "L" : "W"));
        int[] o = outputSize(who, x, in, w);
        Tensor xc = in.x;
        Pooled p = xc.backend().maxPool2d(xc, w.on(in.h, in.w, o[0], o[1]));
        Tensor argmax = p.indices(); // cached for backward: flat h*W+w in the plane, -1 for an empty window
        int[] inShape = xc.shape();
        Tensor out = Tensor.fromOp(w.oneD ? "max_pool1d" : "max_pool2d", p.output(),
                g -> new Tensor[] {g.backend().maxPoolBackward(g, argmax, inShape)}, xc);
        int[] shape = in.shape(o[0], o[1]);
        return new WithIndices(out.reshape(shape), argmax, shape);
    }

    /**
     * Max pooling's output alone, as {@link #maxPool}'s: without a gradient to record (inference) the backend may
     * skip the indices (the CPU runs a separable pass for windows other than 2×2 stride 2, whose values equal
     * {@link #maxPool}'s except that a maximum of zeros that are equal in value may come out as +0 where the
     * sequential scan would keep the first −0; NaN wins either way).
     */
    public static Tensor maxPoolValues(String who, Tensor x, Window w) {
        if (Tensor.gradWanted(x)) return maxPool(who, x, w).output();
        Input4 in = to4d(who, x, w.oneD, expected(w.oneD, "H", w.oneD ? "L" : "W"));
        int[] o = outputSize(who, x, in, w);
        return in.x.backend().maxPool2dValues(in.x, w.on(in.h, in.w, o[0], o[1])).reshape(in.shape(o[0], o[1]));
    }

    // ------------------------------------------------------------------------------------------------ avg pool

    /** {@code F.avg_pool2d(x, kernel, stride, padding)} (count_include_pad=True): [N, C, H, W] → [N, C, OH, OW]. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool("avg_pool2d", x, window2d("avg_pool2d", new int[] {kernel}, new int[] {stride}, new int[] {padding}, null, false), true);
    }

    /** {@code F.avg_pool1d(x, kernel, stride, padding)} (count_include_pad=True): [N, C, L] → [N, C, OL]. */
    public static Tensor avgPool1d(Tensor x, int kernel, int stride, int padding) {
        return avgPool("avg_pool1d", x, window1d("avg_pool1d", kernel, stride, padding, 1, false), true);
    }

    /**
     * Average pooling (PyTorch's divisor: with {@code countIncludePad} the window clipped to the padded input,
     * else the window clipped to the input; windows entirely outside the input give 0). Dilation must be 1.
     *
     * @param x [N, C, H, W] or [C, H, W] (1-d: [N, C, L] or [C, L])
     * @return [N, C, OH, OW] (1-d: [N, C, OL])
     */
    public static Tensor avgPool(String who, Tensor x, Window w, boolean countIncludePad) {
        if (w.dh != 1 || w.dw != 1) throw new IllegalArgumentException(who + ": average pooling has no dilation, got " + w.describe());
        Input4 in = to4d(who, x, w.oneD, expected(w.oneD, "H", w.oneD ? "L" : "W"));
        int[] o = outputSize(who, x, in, w);
        Geometry geo = w.on(in.h, in.w, o[0], o[1]); // cached for backward: the geometry alone
        Tensor xc = in.x;
        Tensor out = Tensor.fromOp(w.oneD ? "avg_pool1d" : "avg_pool2d", xc.backend().avgPool2d(xc, geo, countIncludePad),
                g -> new Tensor[] {g.backend().avgPool2dBackward(g, geo, countIncludePad)}, xc);
        return out.reshape(in.shape(o[0], o[1]));
    }

    // ------------------------------------------------------------------------------------------------ adaptive

    /** PyTorch's adaptive bin start: floor(i·in/out). */
    static int binStart(int i, int in, int out) {
        return dev.lamina.backend.PoolOps.binStart(i, in, out);
    }

    /** PyTorch's adaptive bin end: ceil((i+1)·in/out). */
    static int binEnd(int i, int in, int out) {
        return dev.lamina.backend.PoolOps.binEnd(i, in, out);
    }

    private static void checkAdaptive(String who, int oh, int ow) {
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException(who + ": output size must be positive, got " + oh + "x" + ow);
    }

    private static Input4 adaptiveInput(String who, Tensor x, int oh, int ow) {
        checkAdaptive(who, oh, ow);
        Input4 in = to4d(who, x, false, expected(false, "H", "W"));
        if (in.h <= 0 || in.w <= 0 || in.c <= 0) {
            throw error(who, expected(false, "H >= 1", "W >= 1"), x, "output size " + oh + "x" + ow + " needs a non-empty input");
        }
        return in;
    }

    /**
     * {@code F.adaptive_avg_pool2d(x, (oh, ow))}: bin i along an axis of length n covers
     * [floor(i·n/out), ceil((i+1)·n/out)).
     *
     * @param x [N, C, H, W] or [C, H, W]
     * @return [N, C, oh, ow] (or [C, oh, ow])
     */
    public static Tensor adaptiveAvgPool2d(String who, Tensor x, int oh, int ow) {
        Input4 in = adaptiveInput(who, x, oh, ow);
        Tensor xc = in.x;
        int h = in.h, wd = in.w;
        Tensor out = Tensor.fromOp("adaptive_avg_pool2d", xc.backend().adaptiveAvgPool2d(xc, oh, ow),
                g -> new Tensor[] {g.backend().adaptiveAvgPool2dBackward(g, h, wd)}, xc);
        return out.reshape(in.shape(oh, ow));
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int oh, int ow) {
        return adaptiveAvgPool2d("adaptive_avg_pool2d", x, oh, ow);
    }

    /**
     * {@code F.adaptive_max_pool2d(x, (oh, ow), return_indices=True)} with the bins of
     * {@link #adaptiveAvgPool2d(String, Tensor, int, int)}; first max wins.
     *
     * @param x [N, C, H, W] or [C, H, W]
     * @return [N, C, oh, ow] (or [C, oh, ow]) and the flat h·W+w indices
     */
    public static WithIndices adaptiveMaxPool2d(String who, Tensor x, int oh, int ow) {
        Input4 in = adaptiveInput(who, x, oh, ow);
        Tensor xc = in.x;
        Pooled p = xc.backend().adaptiveMaxPool2d(xc, oh, ow);
        Tensor argmax = p.indices(); // cached for backward
        int[] inShape = xc.shape();
        Tensor out = Tensor.fromOp("adaptive_max_pool2d", p.output(),
                g -> new Tensor[] {g.backend().maxPoolBackward(g, argmax, inShape)}, xc);
        int[] shape = in.shape(oh, ow);
        return new WithIndices(out.reshape(shape), argmax, shape);
    }

    public static Tensor adaptiveMaxPool2d(Tensor x, int oh, int ow) {
        return adaptiveMaxPool2d("adaptive_max_pool2d", x, oh, ow).output();
    }

    // ------------------------------------------------------------------------------------------------ global

    private static int globalPlaneSize(String who, Tensor x, String expected) {
        if (x.dim() < 3) throw error(who, expected, x, "wrong rank " + x.dim());
        int s = 1;
        for (int d = 2; d < x.dim(); d++) s *= x.size(d);
        if (s == 0) throw error(who, expected, x, "empty spatial dimensions");
        return s;
    }

    private static int[] globalShape(Tensor x, boolean keepDim) {
        int[] shape = new int[keepDim ? x.dim() : 2];
        java.util.Arrays.fill(shape, 1);
        shape[0] = x.size(0);
        shape[1] = x.size(1);
        return shape;
    }

    /**
     * Mean over every dimension after the channel one.
     *
     * @param x [N, C, H, W] (or [N, C, L], or more spatial dimensions)
     * @return [N, C], or with {@code keepDim} [N, C, 1, 1] (one 1 per spatial dimension)
     */
    public static Tensor globalAvgPool(String who, Tensor x, boolean keepDim) {
        int s = globalPlaneSize(who, x, "[N, C, H, W] or [N, C, L]");
        Tensor xc = x.contiguous();
        int[] inShape = x.shape();
        Tensor y = xc.backend().globalAvgPool(xc.reshape(x.size(0), x.size(1), s));
        return Tensor.fromOp("global_avg_pool", y.reshape(globalShape(x, keepDim)),
                g -> new Tensor[] {g.backend().globalAvgPoolBackward(g.reshape(inShape[0], inShape[1]), s).reshape(inShape)}, xc);
    }

    public static Tensor globalAvgPool(Tensor x, boolean keepDim) {
        return globalAvgPool("global_avg_pool", x, keepDim);
    }

    /**
     * Max over every dimension after the channel one, as {@code F.adaptive_max_pool2d(x, 1)}: the first maximum
     * gets the gradient.
     *
     * @param x [N, C, H, W] (or [N, C, L], or more spatial dimensions)
     * @return [N, C], or with {@code keepDim} [N, C, 1, 1]
     */
    public static Tensor globalMaxPool(String who, Tensor x, boolean keepDim) {
        int s = globalPlaneSize(who, x, "[N, C, H, W] or [N, C, L]");
        Tensor xc = x.contiguous();
        int[] inShape = x.shape();
        Pooled p = xc.backend().globalMaxPool(xc.reshape(x.size(0), x.size(1), s));
        Tensor argmax = p.indices(); // cached for backward
        return Tensor.fromOp("global_max_pool", p.output().reshape(globalShape(x, keepDim)),
                g -> new Tensor[] {g.backend().maxPoolBackward(g.reshape(inShape[0], inShape[1]), argmax, inShape)}, xc);
    }

    public static Tensor globalMaxPool(Tensor x, boolean keepDim) {
        return globalMaxPool("global_max_pool", x, keepDim);
    }
}
