package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.nn.functional.UpsampleOp.Axis;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * ONNX {@code Resize} (version 13, and version 18 with its {@code axes}, {@code antialias} and
 * {@code keep_aspect_ratio_policy} attributes) on [N, C, L] and [N, C, H, W] inputs that resize only the last one or
 * two dimensions, run by {@link UpsampleOp#resample} with tables built from ONNX's coordinate rules:
 * <ul>
 *   <li>modes {@code nearest} (with {@code nearest_mode} round_prefer_floor, round_prefer_ceil, floor, ceil) and
 *       {@code linear};</li>
 *   <li>{@code coordinate_transformation_mode} half_pixel, pytorch_half_pixel, align_corners, asymmetric;</li>
 *   <li>{@code scales} or {@code sizes} (an empty {@code scales} tensor counts as absent).</li>
 * </ul>
 * With {@code scales}, each output size is floor(in · scale) and the coordinate formulas use the given scale; with
 * {@code sizes}, the scale is out / in. Coordinates are computed in float32, as ONNX Runtime does, which is what
 * PyTorch's exporter is checked against. Linear sampling clamps the source coordinate to [0, in − 1] (the edge
 * sample repeats), so {@code exclude_outside} changes nothing for these modes and is accepted; nearest clamps the
 * rounded index.
 *
 * <p>Resize-19 only adds the coordinate mode half_pixel_symmetric, which is refused, so version 18 serves opsets 18–20.
 *
 * <p>Anything else (cubic, tf_crop_and_resize, tf_half_pixel_for_nn, half_pixel_symmetric, antialias, the
 * aspect-ratio policies other than stretch, resizing the batch or channel dimension, other ranks) fails with an
 * {@link OnnxException} that names the node and the value.
 */
final class ResizeOps {
    private ResizeOps() {}

    static void registerAll() {
        register("Resize", 13, 1, 4, 1, ResizeOps::resize, Map.of());
        register("Resize", 18, 1, 4, 1, ResizeOps::resize, Map.of());
    }

    private static Tensor[] resize(GraphNode n, Tensor[] in) {
        Tensor x = Ops.floatInput(n, in[0], "X");
        if (n.opset < 18) {
            for (String a : new String[] {"axes", "antialias", "keep_aspect_ratio_policy"}) {
                if (n.has(a)) throw n.error("attribute '" + a + "' is not part of Resize before opset 18 (the model imports opset " + n.opset + ")");
            }
        }
        String mode = n.s("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) throw n.error("mode '" + mode + "' is not supported (supported: nearest, linear)");
        String coord = n.s("coordinate_transformation_mode", "half_pixel");
        if (!coord.equals("half_pixel") && !coord.equals("pytorch_half_pixel") && !coord.equals("align_corners") && !coord.equals("asymmetric")) {
            throw n.error("coordinate_transformation_mode '" + coord + "' is not supported (supported: half_pixel, pytorch_half_pixel, align_corners, asymmetric)");
        }
        String nearestMode = n.s("nearest_mode", "round_prefer_floor");
        if (mode.equals("nearest") && !nearestMode.equals("round_prefer_floor") && !nearestMode.equals("round_prefer_ceil")
                && !nearestMode.equals("floor") && !nearestMode.equals("ceil")) {
            throw n.error("nearest_mode '" + nearestMode + "' is not supported (supported: round_prefer_floor, round_prefer_ceil, floor, ceil)");
        }
        long antialias = n.i("antialias", 0);
        if (antialias != 0) throw n.error("antialias = " + antialias + " is not supported (only 0)");
        String policy = n.s("keep_aspect_ratio_policy", "stretch");
        if (!policy.equals("stretch")) throw n.error("keep_aspect_ratio_policy '" + policy + "' is not supported (only stretch)");

        int rank = x.dim();
        if (rank != 3 && rank != 4) throw n.error("input X must be [N, C, L] or [N, C, H, W] (rank 3 or 4), got " + Shape.str(x.shape()));
        int[] axes = axes(n, rank);

        Tensor scalesV = in.length > 2 ? in[2] : null, sizesV = in.length > 3 ? in[3] : null;
        if (scalesV != null && scalesV.numel() == 0) scalesV = null; // opset 11-era exports write an empty scales next to sizes
        if (scalesV != null && sizesV != null) throw n.error("only one of the inputs 'scales' and 'sizes' may be given");
        if (scalesV == null && sizesV == null) throw n.error("one of the inputs 'scales' and 'sizes' is required");
        float[] scale = new float[rank];
        int[] out = x.shape();
        Arrays.fill(scale, 1f);
        if (scalesV != null) {
            if (!Ops.isFloat(scalesV)) throw n.error("input 'scales' must be a float tensor");
            float[] s = scalesV.toArray();
            if (s.length != axes.length) throw n.error("input 'scales' has " + s.length + " values for " + axes.length + " axes of X " + Shape.str(x.shape()));
            for (int k = 0; k < s.length; k++) {
                if (!(s[k] > 0) || Float.isInfinite(s[k])) throw n.error("scales must be positive and finite, got " + Arrays.toString(s));
                int d = axes[k];
                scale[d] = s[k];
                double o = Math.floor(s[k] * (float) x.size(d)); // float32 product, as ONNX Runtime
                if (o < 1 || o > Integer.MAX_VALUE) throw n.error("scale " + s[k] + " gives output size " + (long) o + " for dimension " + d + " of X " + Shape.str(x.shape()));
                out[d] = (int) o;
            }
        } else {
            long[] sz = Ops.longs(n, sizesV, "sizes");
            if (sz.length != axes.length) throw n.error("input 'sizes' has " + sz.length + " values for " + axes.length + " axes of X " + Shape.str(x.shape()));
            for (int k = 0; k < sz.length; k++) {
                if (sz[k] < 1 || sz[k] > Integer.MAX_VALUE) throw n.error("sizes must be positive, got " + Arrays.toString(sz));
                int d = axes[k];
                out[d] = (int) sz[k];
                scale[d] = (float) out[d] / (float) x.size(d);
            }
        }
        for (int d = 0; d < 2; d++) {
            if (out[d] != x.size(d) || scale[d] != 1f) {
                throw n.error("resizing dimension " + d + " (batch or channels) is not supported: X " + Shape.str(x.shape()) + " → " + Shape.str(out)
                        + "; only the last " + (rank - 2) + " dimension(s) may change");
            }
        }
        Ops.checkSize(n, out);
        boolean linear = mode.equals("linear");
        Axis[] tables = new Axis[rank - 2];
        for (int d = 2; d < rank; d++) tables[d - 2] = axis(x.size(d), out[d], scale[d], coord, linear, nearestMode);
        return one(UpsampleOp.resample(n.describe(), x, tables));
    }

    /** The axes the scales/sizes refer to: every axis, or the {@code axes} attribute (opset 18), normalised and distinct. */
    private static int[] axes(GraphNode n, int rank) {
        int[] a = n.ints("axes");
        if (a == null) {
            a = new int[rank];
            for (int k = 0; k < rank; k++) a[k] = k;
            return a;
        }
        boolean[] seen = new boolean[rank];
        int[] out = new int[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = Ops.axis(n, a[k], rank);
            if (seen[out[k]]) throw n.error("attribute 'axes' " + Arrays.toString(a) + " repeats axis " + out[k]);
            seen[out[k]] = true;
        }
        return out;
    }

    /** The source coordinate of output position o (float32). */
    static float coordinate(String coord, int o, int in, int out, float scale) {
        return switch (coord) {
            case "half_pixel" -> (o + 0.5f) / scale - 0.5f;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            case "align_corners" -> out > 1 ? o * (float) (in - 1) / (float) (out - 1) : 0f;
            case "asymmetric" -> o / scale;
            default -> throw new IllegalArgumentException(coord);
        };
    }

    /** One axis: nearest with ONNX's rounding, or linear with the coordinate clamped to [0, in − 1]. */
    static Axis axis(int in, int out, float scale, String coord, boolean linear, String nearestMode) {
        int[] i0 = new int[out];
        if (!linear) {
            for (int o = 0; o < out; o++) {
                float c = coordinate(coord, o, in, out, scale);
                double f = Math.floor(c);
                double r = switch (nearestMode) {
                    case "floor" -> f;
                    case "ceil" -> Math.ceil(c);
                    case "round_prefer_ceil" -> c == f + 0.5 ? f + 1 : Math.round((double) c);
                    default -> c == f + 0.5 ? f : Math.round((double) c); // round_prefer_floor
                };
                i0[o] = (int) Math.max(0, Math.min(in - 1, r));
            }
            return Axis.nearest(in, i0);
        }
        int[] i1 = new int[out];
        float[] lambda = new float[out];
        for (int o = 0; o < out; o++) {
            float c = Math.max(0f, Math.min(coordinate(coord, o, in, out, scale), in - 1));
            int a = (int) c;
            i0[o] = a;
            i1[o] = Math.min(a + 1, in - 1);
            lambda[o] = c - a;
        }
        return Axis.linear(in, i0, i1, lambda);
    }
}
