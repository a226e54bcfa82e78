package dev.lamina.nn.functional;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Embedding lookup as one fused op: forward copies the chosen rows of the table; backward scatter-adds the output
 * gradient into those rows only (repeated ids add up; the padding row gets nothing). Caches the ids as ints.
 */
public final class EmbeddingOp {
    private EmbeddingOp() {}

    /**
     * @param who the layer, for error messages
     * @param ids [*] whole numbers in [0, weight.size(0))
     * @param weight [num, dim]
     * @param paddingIdx the row that receives no gradient, or -1
     * @return [*, dim]
     */
    public static Tensor embedding(String who, Tensor ids, Tensor weight, int paddingIdx) {
        if (weight.dim() != 2) throw new ShapeException(who + ": weight must be [num, dim], got " + Shape.str(weight.shape()));
        int num = weight.size(0), dim = weight.size(1);
        int[] idx = tokenIds(who, ids, num);
        int n = idx.length;
        Tensor w = weight.contiguous();
        float[] wd = w.storage();
        int wo = w.storageOffset();
        float[] out = new float[n * dim];
        Parallel.forRange(n, Math.max(1, 4096 / dim), (s, e) -> {
            for (int r = s; r < e; r++) System.arraycopy(wd, wo + idx[r] * dim, out, r * dim, dim);
        });
        int[] outShape = java.util.Arrays.copyOf(ids.shape(), ids.dim() + 1);
        outShape[ids.dim()] = dim;
        return Tensor.fromOp("embedding", Tensor.of(out, outShape), g -> new Tensor[] {backward(g.contiguous(), idx, num, dim, paddingIdx)}, w);
    }

    /** d weight: row idx[r] += g[r] for every position r except padding ones; untouched rows stay zero. */
    private static Tensor backward(Tensor g, int[] idx, int num, int dim, int paddingIdx) {
        float[] gd = g.storage();
        int go = g.storageOffset();
        float[] gw = new float[num * dim];
        for (int r = 0; r < idx.length; r++) {
            int row = idx[r];
            if (row == paddingIdx) continue;
            int dst = row * dim, src = go + r * dim;
            for (int j = 0; j < dim; j++) gw[dst + j] += gd[src + j];
        }
        return Tensor.of(gw, num, dim);
    }

    /** The ids as ints; each must be a whole number in [0, vocab). */
    static int[] tokenIds(String who, Tensor ids, int vocab) {
        float[] v = ids.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            if (f != Math.rint(f)) {
                throw new IllegalArgumentException(who + ": token id " + f + " at position " + i + " of ids " + Shape.str(ids.shape()) + " is not a whole number");
            }
            if (f < 0 || f >= vocab) {
                throw new IndexOutOfBoundsException(who + ": token id " + (long) f + " at position " + i + " of ids " + Shape.str(ids.shape()) + " is out of range for a vocabulary of " + vocab + " (valid ids 0.." + (vocab - 1) + ")");
            }
            out[i] = (int) f;
        }
        return out;
    }
}
