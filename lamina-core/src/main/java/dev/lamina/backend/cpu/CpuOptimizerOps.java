package dev.lamina.backend.cpu;

import dev.lamina.backend.OptimizerOps;
import dev.lamina.tensor.Tensor;

/**
 * The CPU's optimizer updates: fused loops over the parameter's, gradient's and buffers' flat storage (all
 * contiguous, see {@link OptimizerOps}), Adam through {@link OptimKernels} (Vector API, split across cores for large
 * parameters). One pass per element, no temporaries.
 */
public interface CpuOptimizerOps extends OptimizerOps {

    @Override
    default void sgdStep_(Tensor pt, Tensor gt, Tensor bt, SgdStep o) {
        float[] p = pt.storage(), g = gt.storage();
        int po = pt.storageOffset(), go = gt.storageOffset(), n = pt.numel();
        float lr = (float) o.lr(), wd = (float) o.weightDecay(), mu = (float) o.momentum(), keep = o.keep();
        if (mu == 0f) {
            for (int i = 0; i < n; i++) p[po + i] -= lr * (g[go + i] + wd * p[po + i]);
            return;
        }
        boolean first = o.first(), nesterov = o.nesterov();
        float[] b = bt.storage();
        int bo = bt.storageOffset();
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + wd * p[po + i];
            float bi = first ? gi : mu * b[bo + i] + keep * gi;
            b[bo + i] = bi;
            p[po + i] -= lr * (nesterov ? gi + mu * bi : bi);
        }
    }

    @Override
    default void adamStep_(Tensor pt, Tensor gt, Tensor mt, Tensor vt, Tensor vMaxT, AdamStep o) {
        float[] p = pt.storage();
        int po = pt.storageOffset(), n = pt.numel();
        if (o.shrinks()) {
            float shrink = o.shrink();
            for (int i = 0; i < n; i++) p[po + i] *= shrink;
        }
        float[] vmax = vMaxT == null ? null : vMaxT.storage();
        int xo = vMaxT == null ? 0 : vMaxT.storageOffset();
        OptimKernels.adam(p, po, gt.storage(), gt.storageOffset(), mt.storage(), mt.storageOffset(), vt.storage(), vt.storageOffset(), vmax, xo, n,
                (float) o.beta1(), (float) o.beta2(), (float) o.eps(), o.stepSize(), o.invSqrtBc2(), o.l2());
    }

    @Override
    default void rmspropStep_(Tensor pt, Tensor gt, Tensor st, Tensor gat, Tensor bt, RmspropStep o) {
        float[] p = pt.storage(), g = gt.storage(), s = st.storage();
        int po = pt.storageOffset(), go = gt.storageOffset(), so = st.storageOffset(), n = pt.numel();
        float[] ga = gat == null ? null : gat.storage();
        int gao = gat == null ? 0 : gat.storageOffset();
        float[] b = bt == null ? null : bt.storage();
        int bo = bt == null ? 0 : bt.storageOffset();
        float a = (float) o.alpha(), e = (float) o.eps(), wd = (float) o.weightDecay(), mu = (float) o.momentum(), lr = (float) o.lr();
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + wd * p[po + i];
            float si = a * s[so + i] + (1 - a) * gi * gi;
            s[so + i] = si;
            float var = si;
            if (ga != null) {
                float mi = a * ga[gao + i] + (1 - a) * gi;
                ga[gao + i] = mi;
                var = si - mi * mi;
            }
            float step = gi / ((float) Math.sqrt(var) + e);
            if (b != null) {
                b[bo + i] = mu * b[bo + i] + step;
                step = b[bo + i];
            }
            p[po + i] -= lr * step;
        }
    }

    @Override
    default double sumOfSquares(Tensor x) {
        float[] d = x.storage();
        double sq = 0;
        for (int i = x.storageOffset(), e = i + x.numel(); i < e; i++) sq += (double) d[i] * d[i];
        return sq;
    }

    @Override
    default void scale_(Tensor x, float c) {
        float[] d = x.storage();
        for (int i = x.storageOffset(), e = i + x.numel(); i < e; i++) d[i] *= c;
    }

    @Override
    default void clampSymmetric_(Tensor x, float c) {
        float[] d = x.storage();
        for (int i = x.storageOffset(), e = i + x.numel(); i < e; i++) d[i] = Math.max(-c, Math.min(c, d[i]));
    }
}
