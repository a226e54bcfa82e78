package dev.lamina.backend.cpu;

import dev.lamina.backend.EmbeddingOps;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/** The CPU's embedding lookup (row copies split across cores) and its scatter-add backward. */
public interface CpuEmbeddingOps extends EmbeddingOps {
    @Override
    default Tensor embedding(Tensor weight, int[] ids, int[] outShape) {
        int n = ids.length, dim = weight.size(1);
        float[] wd = weight.storage();
        int wo = weight.storageOffset();
        float[] out = new float[n * dim];
        Parallel.forRange(n, Math.max(1, 4096 / dim), (s, e) -> {
            for (int r = s; r < e; r++) System.arraycopy(wd, wo + ids[r] * dim, out, r * dim, dim);
        });
        return wrap(out, outShape);
    }

    @Override
    default Tensor embeddingBackward(Tensor g, int[] ids, int num, int paddingIdx) {
        int dim = g.size(1);
        float[] gd = g.storage();
        int go = g.storageOffset();
        float[] gw = new float[num * dim];
        for (int r = 0; r < ids.length; r++) {
            int row = ids[r];
            if (row == paddingIdx) continue;
            int dst = row * dim, src = go + r * dim;
            for (int j = 0; j < dim; j++) gw[dst + j] += gd[src + j];
        }
        return wrap(gw, num, dim);
    }
}
