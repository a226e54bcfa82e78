package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * The fused affine map y = x·Wᵀ + b, one GEMM forward and two backward, reading Wᵀ and gᵀ through strides
 * so nothing is transposed in memory and the weight gradient comes out in W's own [out, in] layout.
 */
public final class LinearOp {
    private LinearOp() {}

    /**
     * @param x [..., in]
     * @param weight [out, in]
     * @param bias [out] or null
     * @return [..., out]
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = weight.size(1), out = weight.size(0);
        if (x.dim() == 0 || x.size(-1) != in) throw new ShapeException("linear: input " + Shape.str(x.shape()) + " does not end in " + in + " features for weight " + Shape.str(weight.shape()));
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) throw new ShapeException("linear: bias " + Shape.str(bias.shape()) + " does not match weight " + Shape.str(weight.shape()));
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor x2 = x.dim() == 2 ? x.contiguous() : x.reshape(-1, in);
        Tensor w = weight.contiguous(), b = bias == null ? null : bias.contiguous();
        int m = x2.size(0);
        float[] y = new float[m * out];
        if (b != null) {
            for (int r = 0; r < m; r++) System.arraycopy(b.storage(), b.storageOffset(), y, r * out, out);
        }
        // y[m, out] (+)= x[m, in] · Wᵀ, with Wᵀ(p, j) = w[j*in + p]
        Gemm.gemm(m, out, in, x2.storage(), x2.storageOffset(), in, 1, w.storage(), w.storageOffset(), 1, in, y, 0, out, b != null);
        Tensor result = Tensor.fromOp("linear", Tensor.of(y, m, out), g -> backward(g.contiguous(), x2, w, b, m, in, out), x2, w, b);
        return x.dim() == 2 ? result : result.reshape(outShape);
    }

    /** Gradients for (x, W, b) from g [m, out]: gx = g·W, gW = gᵀ·x, gb = column sums of g. */
    private static Tensor[] backward(Tensor g, Tensor x, Tensor w, Tensor b, int m, int in, int out) {
        float[] gd = g.storage();
        int go = g.storageOffset();
        Tensor gx = null, gw = null, gb = null;
        if (x.requiresGrad()) {
            float[] d = new float[m * in];
            Gemm.gemm(m, in, out, gd, go, out, 1, w.storage(), w.storageOffset(), in, 1, d, 0, in, false);
            gx = Tensor.of(d, m, in);
        }
        if (w.requiresGrad()) {
            float[] d = new float[out * in];
            // gᵀ(o, r) = g[r*out + o]
            Gemm.gemm(out, in, m, gd, go, 1, out, x.storage(), x.storageOffset(), in, 1, d, 0, in, false);
            gw = Tensor.of(d, out, in);
        }
        if (b != null && b.requiresGrad()) {
            float[] d = new float[out];
            for (int r = 0; r < m; r++) {
                int base = go + r * out;
                for (int j = 0; j < out; j++) d[j] += gd[base + j];
            }
            gb = Tensor.of(d, out);
        }
        return new Tensor[] {gx, gw, gb};
    }
}
