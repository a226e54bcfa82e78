package dev.lamina.nn.functional;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Embedding lookup as one fused op: forward copies the chosen rows of the table; backward scatter-adds the output
 * gradient into those rows only (repeated ids add up; the padding row gets nothing). Caches the ids as ints; the
 * values come from the backend's {@link dev.lamina.backend.EmbeddingOps}.
 */
public final class EmbeddingOp {
    private EmbeddingOp() {}

    /**
     * @param who the layer, for error messages
     * @param ids [*] whole numbers in [0, weight.size(0)), I64 or F32
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
        int[] outShape = java.util.Arrays.copyOf(ids.shape(), ids.dim() + 1);
        outShape[ids.dim()] = dim;
        return Tensor.fromOp("embedding", w.backend().embedding(w, idx, outShape), g -> new Tensor[] {backward(g.contiguous(), idx, num, dim, paddingIdx)}, w);
    }

    /** d weight: row idx[r] += g[r] for every position r except padding ones; untouched rows stay zero. */
    private static Tensor backward(Tensor g, int[] idx, int num, int dim, int paddingIdx) {
        Tensor rows = Tensor.view(g, g.storageOffset(), new int[] {idx.length, dim}, new int[] {dim, 1});   // [*, dim] as [n, dim]
        return g.backend().embeddingBackward(rows, idx, num, paddingIdx);
    }

    /** The ids (I64, or integer-valued F32) as ints; each must be a whole number in [0, vocab). */
    static int[] tokenIds(String who, Tensor ids, int vocab) {
        if (ids.dtype() == dev.lamina.tensor.DType.I64) {
            long[] v = ids.toLongArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] >= vocab) {
                    throw new IndexOutOfBoundsException(who + ": token id " + v[i] + " at position " + i + " of ids " + Shape.str(ids.shape()) + " is out of range for a vocabulary of " + vocab + " (valid ids 0.." + (vocab - 1) + ")");
                }
                out[i] = (int) v[i];
            }
            return out;
        }
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
