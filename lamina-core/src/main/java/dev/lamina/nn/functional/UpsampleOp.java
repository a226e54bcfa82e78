package dev.lamina.nn.functional;

import dev.lamina.backend.ResampleOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Locale;

/**
 * Resampling of the last one or two dimensions of [N, C, L] / [N, C, H, W] tensors: PyTorch's
 * {@code F.interpolate} in modes {@code nearest}, {@code linear} (1-d) and {@code bilinear} (2-d), and the
 * generic {@link #resample} that other coordinate rules (ONNX {@code Resize}) feed with their own tables.
 *
 * <p>Every output axis is an {@link Axis}: per output position, the source index (nearest) or the two source
 * indices and their weights (linear). Forward reads through the tables (bilinear separably: input rows resampled
 * along W once, then blended in pairs along H); backward scatter-adds the output gradient through the same tables. What the op caches for backward: the two axis tables and the input shape, nothing of
 * the input's values (the map is linear in x). The values come from the tensor's backend
 * ({@link ResampleOps}); this class builds and checks the tables, plans the shapes and records the tape.
 *
 * <p>PyTorch 1.13's coordinate rules, as {@link #interpolate} implements them (per axis, input size {@code in},
 * output size {@code out}, optional scale factor {@code s} as given by the caller):
 * <ul>
 *   <li>output size: the given size, or floor(in·s);</li>
 *   <li>nearest: src = min(floor(o·r), in − 1) in float32 with r = (float) (1/s) when a scale was given, else
 *       (float) in / out;</li>
 *   <li>linear: out = in copies; otherwise with align_corners the ratio r = (in − 1)/(out − 1) (0 when out = 1)
 *       and the source coordinate r·o, without it r = 1/s when a scale was given (else in/out) and the coordinate
 *       max(r·(o + ½) − ½, 0); i0 = floor, i1 = min(i0 + 1, in − 1), weights 1 − λ and λ = coordinate − i0.</li>
 * </ul>
 * So a given scale factor is used as given (PyTorch's default {@code recompute_scale_factor=None}), not
 * recomputed from the output size.
 *
 * <p>The backward is always the exact adjoint of the forward. PyTorch 1.13's nearest backward is not, in one corner:
 * its gradient kernel copies when out = in and takes o &gt;&gt; 1 when out = 2·in, while its forward kernel uses
 * floor(o/s) there too; so with a scale factor other than 1 or 2 that happens to give such an output size (1.1 on
 * 5, 2.1 on 5), PyTorch's input gradient does not belong to its output. Lamina matches PyTorch's output there and
 * gives the gradient of that output.
 */
public final class UpsampleOp {
    private UpsampleOp() {}

    /** The interpolation modes of {@link #interpolate}. */
    public enum Mode {
        NEAREST("nearest"), LINEAR("linear"), BILINEAR("bilinear");

        private final String torchName;

        Mode(String torchName) {
            this.torchName = torchName;
        }

        /** PyTorch's name of the mode. */
        public String torchName() {
            return torchName;
        }

        /** The number of resized dimensions it needs (0 for nearest: 1 or 2). */
        int spatialDims() {
            return this == LINEAR ? 1 : this == BILINEAR ? 2 : 0;
        }

        /** The mode named as in PyTorch ("nearest", "linear", "bilinear"); anything else is refused naming {@code who}. */
        public static Mode of(String who, String name) {
            if (name != null) {
                for (Mode m : values()) if (m.torchName.equals(name.toLowerCase(Locale.ROOT))) return m;
            }
            throw new IllegalArgumentException(who + ": unknown mode '" + name + "', expected one of nearest, linear (3-d input), bilinear (4-d input)");
        }
    }

    /**
     * How one output axis reads its input axis: output position o takes {@code w0[o]·x[i0[o]] + w1[o]·x[i1[o]]}, or
     * {@code x[i0[o]]} when {@code w0} is null (nearest). Indices must lie in [0, in).
     */
    public record Axis(int in, int[] i0, int[] i1, float[] w0, float[] w1) {
        public Axis {
            if (in < 1) throw new IllegalArgumentException("axis: input size must be positive, got " + in);
            if (i0.length < 1) throw new IllegalArgumentException("axis: output size must be positive, got 0");
            boolean linear = w0 != null;
            if (linear && (i1 == null || w1 == null || i1.length != i0.length || w0.length != i0.length || w1.length != i0.length)) {
                throw new IllegalArgumentException("axis: linear tables of unequal length");
            }
            for (int o = 0; o < i0.length; o++) {
                if (i0[o] < 0 || i0[o] >= in || linear && (i1[o] < 0 || i1[o] >= in)) {
                    throw new IllegalArgumentException("axis: source index of output " + o + " is outside [0, " + in + ")");
                }
            }
        }

        /** Nearest: output o copies input {@code src[o]}. */
        public static Axis nearest(int in, int[] src) {
            return new Axis(in, src, null, null, null);
        }

        /** Linear: output o is {@code (1 − λ[o])·x[i0[o]] + λ[o]·x[i1[o]]}. */
        public static Axis linear(int in, int[] i0, int[] i1, float[] lambda) {
            float[] w0 = new float[lambda.length];
            for (int o = 0; o < w0.length; o++) w0[o] = 1f - lambda[o];
            return new Axis(in, i0, i1, w0, lambda);
        }

        public int out() {
            return i0.length;
        }

        public boolean isLinear() {
            return w0 != null;
        }

        /** The same tables as the backend takes them. */
        ResampleOps.Table table() {
            return new ResampleOps.Table(in, i0, i1, w0, w1);
        }

        /** The identity of a size-1 axis (the height of a 1-d input). */
        static Axis unit(boolean linear) {
            return linear ? new Axis(1, new int[1], new int[1], new float[] {1f}, new float[1]) : nearest(1, new int[1]);
        }
    }

    // ------------------------------------------------------------------------------------------------ PyTorch rules

    /**
     * {@code F.interpolate(x, size, scale_factor, mode, align_corners)} with PyTorch 1.13's defaults
     * ({@code recompute_scale_factor=None}, no antialias). Exactly one of {@code size} and {@code scale} is non-null;
     * a one-element array applies to every resized dimension, otherwise it has one value per resized dimension.
     *
     * @param who names the caller in errors (a layer passes its {@code describe()})
     * @param x [N, C, L] (nearest, linear) or [N, C, H, W] (nearest, bilinear)
     * @param alignCorners null for nearest (which refuses it); null means false for (bi)linear
     * @return [N, C, L'] or [N, C, H', W']
     */
    public static Tensor interpolate(String who, Tensor x, int[] size, double[] scale, Mode mode, Boolean alignCorners) {
        checkConfig(who, size, scale, mode, alignCorners);
        int r = x.dim();
        int dims = mode.spatialDims();
        if (dims == 0 ? r != 3 && r != 4 : r != dims + 2) {
            String expected = dims == 1 ? "[N, C, L]" : dims == 2 ? "[N, C, H, W]" : "[N, C, L] or [N, C, H, W]";
            throw new ShapeException(who + ": expected input of shape " + expected + " for mode '" + mode.torchName() + "', got "
                    + Shape.str(x.shape()) + " (rank " + r + ")");
        }
        dims = r - 2;
        int given = size != null ? size.length : scale.length;
        if (given != 1 && given != dims) {
            throw new ShapeException(who + ": " + (size != null ? "size " + java.util.Arrays.toString(size) : "scale_factor " + java.util.Arrays.toString(scale))
                    + " has " + given + " values for the " + dims + " resized dimension(s) of input " + Shape.str(x.shape()));
        }
        Axis[] axes = new Axis[dims];
        for (int d = 0; d < dims; d++) {
            int in = x.size(2 + d);
            if (in < 1) throw new ShapeException(who + ": expected non-empty resized dimensions, got input " + Shape.str(x.shape()));
            Double s = scale == null ? null : scale[given == 1 ? 0 : d];
            int out;
            if (size != null) {
                out = size[given == 1 ? 0 : d];
            } else {
                double o = Math.floor(in * s);
                if (o < 1 || o > Integer.MAX_VALUE) {
                    throw new ShapeException(who + ": scale_factor " + s + " gives output size " + (long) o + " for dimension " + (2 + d)
                            + " of input " + Shape.str(x.shape()) + "; it must be at least 1");
                }
                out = (int) o;
            }
            axes[d] = mode == Mode.NEAREST ? torchNearest(in, out, s) : torchLinear(in, out, alignCorners != null && alignCorners, s);
        }
        return resample(who, x, axes);
    }

    /** The checks that need no input: exactly one of size/scale, positive values, align_corners only for (bi)linear. */
    public static void checkConfig(String who, int[] size, double[] scale, Mode mode, Boolean alignCorners) {
        if (mode == null) throw new IllegalArgumentException(who + ": mode is required");
        if (size != null && scale != null) throw new IllegalArgumentException(who + ": only one of size and scale_factor may be given, got both");
        if (size == null && scale == null) throw new IllegalArgumentException(who + ": either size or scale_factor must be given, got neither");
        if (size != null) {
            if (size.length == 0) throw new IllegalArgumentException(who + ": size has no values");
            for (int v : size) if (v <= 0) throw new IllegalArgumentException(who + ": size must be positive, got " + java.util.Arrays.toString(size));
        } else {
            if (scale.length == 0) throw new IllegalArgumentException(who + ": scale_factor has no values");
            for (double v : scale) {
                if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(who + ": scale_factor must be positive and finite, got " + java.util.Arrays.toString(scale));
            }
        }
        if (mode == Mode.NEAREST && alignCorners != null) {
            throw new IllegalArgumentException(who + ": align_corners can only be set with the interpolating modes linear and bilinear, not nearest");
        }
    }

    /** PyTorch's nearest forward indices: floor(o·r) in float32, clamped to in − 1 (no special cases). */
    static Axis torchNearest(int in, int out, Double scale) {
        int[] src = new int[out];
        float r = scale != null && scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        for (int o = 0; o < out; o++) src[o] = (int) Math.min((long) Math.floor(o * r), in - 1);
        return Axis.nearest(in, src);
    }

    /** PyTorch's area_pixel_compute_scale / compute_source_index_and_lambda (ratio in float32, coordinate in double). */
    static Axis torchLinear(int in, int out, boolean alignCorners, Double scale) {
        int[] i0 = new int[out], i1 = new int[out];
        float[] w0 = new float[out], w1 = new float[out];
        float ratio;
        if (alignCorners) ratio = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        else ratio = scale != null && scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        for (int o = 0; o < out; o++) {
            if (out == in) {
                i0[o] = o;
                i1[o] = o;
                w0[o] = 1f;
                continue;
            }
            double real = alignCorners ? (double) ratio * o : Math.max((double) ratio * (o + 0.5) - 0.5, 0.0);
            int a = (int) Math.min((long) real, in - 1);
            i0[o] = a;
            i1[o] = a < in - 1 ? a + 1 : a;
            w1[o] = (float) (real - a);
            w0[o] = 1f - w1[o];
        }
        return new Axis(in, i0, i1, w0, w1);
    }

    // ------------------------------------------------------------------------------------------------ the kernel

    /**
     * Resamples the last {@code axes.length} (1 or 2) dimensions of x through the given tables; all axes nearest or
     * all linear. Records one tape node whose backward scatter-adds through the same tables.
     *
     * @param x [N, C, L] with one axis, [N, C, H, W] with two; the axes' input sizes must match
     * @return [N, C, L'] or [N, C, H', W']
     */
    public static Tensor resample(String who, Tensor x, Axis... axes) {
        int dims = axes.length;
        if ((dims != 1 && dims != 2) || x.dim() != dims + 2) {
            throw new ShapeException(who + ": expected input of shape " + (dims == 1 ? "[N, C, L]" : "[N, C, H, W]") + ", got " + Shape.str(x.shape()));
        }
        boolean linear = axes[0].isLinear();
        for (int d = 0; d < dims; d++) {
            if (axes[d].in() != x.size(2 + d)) {
                throw new ShapeException(who + ": resampling table for input size " + axes[d].in() + " does not fit dimension " + (2 + d) + " of input " + Shape.str(x.shape()));
            }
            if (axes[d].isLinear() != linear) throw new IllegalArgumentException(who + ": nearest and linear axes cannot be mixed");
        }
        Axis ah = dims == 2 ? axes[0] : Axis.unit(linear), aw = axes[dims - 1];
        int n = x.size(0), c = x.size(1);
        int[] outShape = dims == 2 ? new int[] {n, c, ah.out(), aw.out()} : new int[] {n, c, aw.out()};
        long total = (long) n * c * ah.out() * aw.out();
        if (total > Integer.MAX_VALUE - 8) throw new ShapeException(who + ": output " + Shape.str(outShape) + " is too large");
        Tensor xc = x.contiguous();
        ResampleOps.Table th = ah.table(), tw = aw.table();
        int[] inShape = x.shape();
        String op = linear ? (dims == 2 ? "upsample_bilinear2d" : "upsample_linear1d") : (dims == 2 ? "upsample_nearest2d" : "upsample_nearest1d");
        Tensor y = xc.backend().resample(xc.reshape(n, c, ah.in(), aw.in()), th, tw).reshape(outShape);
        // cached for backward: the axis tables ah, aw and the input shape
        return Tensor.fromOp(op, y, g -> new Tensor[] {
            g.backend().resampleBackward(g.reshape(n, c, th.out(), tw.out()), th, tw).reshape(inShape)}, xc);
    }
}
