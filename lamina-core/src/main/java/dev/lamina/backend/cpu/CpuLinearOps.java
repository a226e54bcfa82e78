package dev.lamina.backend.cpu;

import dev.lamina.backend.LinearOps;
import dev.lamina.kernels.Gemm;
import dev.lamina.tensor.Tensor;

/**
 * The CPU's fused linear map: one GEMM forward and two backward, reading Wᵀ and gᵀ through strides so nothing is
 * transposed in memory and the weight gradient comes out in W's own [out, in] layout.
 */
public interface CpuLinearOps extends LinearOps {
    @Override
    default Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int m = x.size(0), in = x.size(1), out = weight.size(0);
        float[] y = new float[m * out];
        if (bias != null) {
            for (int r = 0; r < m; r++) System.arraycopy(bias.storage(), bias.storageOffset(), y, r * out, out);
        }
        // y[m, out] (+)= x[m, in] · Wᵀ, with Wᵀ(p, j) = w[j*in + p]
        Gemm.gemm(m, out, in, x.storage(), x.storageOffset(), in, 1, weight.storage(), weight.storageOffset(), 1, in, y, 0, out, bias != null);
        return wrap(y, m, out);
    }

    @Override
    default LinearGrads linearBackward(Tensor g, Tensor x, Tensor weight, boolean needX, boolean needWeight, boolean needBias) {
        int m = g.size(0), out = g.size(1), in = x.size(1);
        float[] gd = g.storage();
        int go = g.storageOffset();
        Tensor gx = null, gw = null, gb = null;
        if (needX) {
            float[] d = new float[m * in];
            Gemm.gemm(m, in, out, gd, go, out, 1, weight.storage(), weight.storageOffset(), in, 1, d, 0, in, false);
            gx = wrap(d, m, in);
        }
        if (needWeight) {
            float[] d = new float[out * in];
            // gᵀ(o, r) = g[r*out + o]
            Gemm.gemm(out, in, m, gd, go, 1, out, x.storage(), x.storageOffset(), in, 1, d, 0, in, false);
            gw = wrap(d, out, in);
        }
        if (needBias) {
            float[] d = new float[out];
            for (int r = 0; r < m; r++) {
                int base = go + r * out;
                for (int j = 0; j < out; j++) d[j] += gd[base + j];
            }
            gb = wrap(d, out);
        }
        return new LinearGrads(gx, gw, gb);
    }
}
