package dev.lamina.nn.functional;

import dev.lamina.backend.NormOps.Grads;
import dev.lamina.backend.NormOps.RowLayout;
import dev.lamina.backend.NormOps.RowNormed;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * Fused layer, group, instance and RMS normalization. All four normalize contiguous <em>rows</em> of the
 * (contiguous) input with one statistic each, then apply a per-channel affine map:
 * <ul>
 *   <li>layer norm / RMS norm: a row is the trailing {@code normalized_shape} block; the affine index is the
 *       position in the row;
 *   <li>group norm on {@code [N, C, *]}: a row is one sample's group of C/G channels × spatial; the affine index
 *       is the channel;
 *   <li>instance norm: group norm with one channel per group.
 * </ul>
 * Forward and backward are paired explicitly and share the named cached values {@link RowNormed#mean},
 * {@link RowNormed#invStd} (per row) and {@link RowNormed#xHat} (the normalized input). RMS norm has no mean:
 * x̂ = x / √(mean(x²) + eps). This class checks the shapes, lays out the rows ({@link RowLayout}) and records the
 * tape; the values come from the tensor's backend ({@link dev.lamina.backend.NormOps#rowNorm}).
 */
public final class NormOp {
    private NormOp() {}

    /** Default eps of PyTorch's {@code nn.RMSNorm} when {@code eps=None}: {@code torch.finfo(float32).eps}. */
    public static final double FLOAT32_EPS = Math.ulp(1.0f);

    /**
     * Layer normalization over the trailing dims {@code normalizedShape}.
     *
     * @param x [*, normalizedShape...]
     * @param weight normalizedShape or null
     * @param bias normalizedShape or null
     * @return x's shape
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int len = trailing("layer_norm", x, normalizedShape);
        checkParam("layer_norm", "weight", weight, normalizedShape);
        checkParam("layer_norm", "bias", bias, normalizedShape);
        return run("layer_norm", x, new RowLayout(rowsOf(x, len), len, 1, len, 1, false), weight, bias, eps);
    }

    /**
     * RMS normalization y = x / √(mean(x²) + eps) · weight over the trailing dims {@code normalizedShape}.
     *
     * @param x [*, normalizedShape...]
     * @param weight normalizedShape or null
     * @return x's shape
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, double eps) {
        int len = trailing("rms_norm", x, normalizedShape);
        checkParam("rms_norm", "weight", weight, normalizedShape);
        return run("rms_norm", x, new RowLayout(rowsOf(x, len), len, 1, len, 1, true), weight, null, eps);
    }

    /**
     * Group normalization: channels split into {@code numGroups} consecutive groups, one statistic per sample and
     * group over its channels and all trailing positions.
     *
     * @param x [N, C, *]
     * @param weight [C] or null
     * @param bias [C] or null
     * @return x's shape
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        if (x.dim() < 2) throw new ShapeException("group_norm: expected input of shape [N, C, *], got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1);
        if (numGroups <= 0 || c % numGroups != 0) {
            throw new ShapeException("group_norm: " + c + " channels of input " + Shape.str(x.shape()) + " are not divisible into " + numGroups + " groups");
        }
        checkParam("group_norm", "weight", weight, new int[] {c});
        checkParam("group_norm", "bias", bias, new int[] {c});
        int spatial = n * c == 0 ? 0 : x.numel() / (n * c);
        int cpg = c / numGroups;
        return run("group_norm", x, new RowLayout(n * numGroups, cpg * spatial, numGroups, cpg, spatial, false), weight, bias, eps);
    }

    /**
     * Instance normalization: one statistic per sample and channel over the trailing positions (no running
     * statistics).
     *
     * @param x [N, C, *]
     * @param weight [C] or null
     * @param bias [C] or null
     * @return x's shape
     */
    public static Tensor instanceNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (x.dim() < 3) throw new ShapeException("instance_norm: expected input of shape [N, C, L, *], got " + Shape.str(x.shape()));
        int c = x.size(1);
        checkParam("instance_norm", "weight", weight, new int[] {c});
        checkParam("instance_norm", "bias", bias, new int[] {c});
        int spatial = x.numel() == 0 ? 0 : x.numel() / (x.size(0) * c);
        return run("instance_norm", x, new RowLayout(x.size(0) * c, spatial, c, 1, spatial, false), weight, bias, eps);
    }

    private static int trailing(String op, Tensor x, int[] normalizedShape) {
        int k = normalizedShape.length;
        int[] xs = x.shape();
        if (k == 0 || xs.length < k || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), normalizedShape)) {
            throw new ShapeException(op + ": expected input of shape [*, " + Shape.str(normalizedShape).substring(1) + ", got " + Shape.str(xs));
        }
        return Shape.size(normalizedShape);
    }

    private static int rowsOf(Tensor x, int len) {
        return len == 0 ? 0 : x.numel() / len;
    }

    private static void checkParam(String op, String name, Tensor t, int[] shape) {
        if (t != null && !Arrays.equals(t.shape(), shape)) {
            throw new ShapeException(op + ": " + name + " of shape " + Shape.str(t.shape()) + " does not match expected " + Shape.str(shape));
        }
    }

    private static Tensor run(String op, Tensor x, RowLayout l, Tensor weight, Tensor bias, double eps) {
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        boolean tape = Tensor.gradWanted(xc, w, b);
        Tensor wf = w == null ? null : w.reshape(l.channels()), bf = b == null ? null : b.reshape(l.channels());
        RowNormed saved = xc.backend().rowNorm(xc, l, wf, bf, eps, tape);
        return Tensor.fromOp(op, saved.output(), g -> {
            Grads gr = g.backend().rowNormBackward(g, saved, l, wf, xc.requiresGrad(), w != null && w.requiresGrad(), b != null && b.requiresGrad());
            return new Tensor[] {
                gr.x() == null ? null : gr.x().reshape(xc.shape()),
                gr.weight() == null ? null : gr.weight().reshape(w.shape()),
                gr.bias() == null ? null : gr.bias().reshape(b.shape()),
            };
        }, xc, w, b);
    }
}
