package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Tensor;

/**
 * Embedding lookup (the rows of a table picked by token ids) and its scatter-add backward, for
 * {@code nn.functional.EmbeddingOp}. Ids are already checked to be in range.
 */
public interface EmbeddingOps extends TensorOps {
    /**
     * out[r] = weight[ids[r]].
     *
     * @param weight [num, dim] contiguous
     * @param ids n row numbers in [0, num)
     * @param outShape the result's shape, [*, dim] with n·dim elements
     */
    default Tensor embedding(Tensor weight, int[] ids, int[] outShape) {
        try (var s = Autograd.noGrad()) {
            return indexSelect(weight, 0, ids).reshape(outShape).contiguous();
        }
    }

    /**
     * d weight [num, dim]: row ids[r] += g[r] for every r whose id is not {@code paddingIdx} (-1 for none); rows no id
     * names stay zero.
     *
     * @param g [n, dim] contiguous
     */
    default Tensor embeddingBackward(Tensor g, int[] ids, int num, int paddingIdx) {
        try (var s = Autograd.noGrad()) {
            Tensor src = g;
            if (paddingIdx >= 0) {
                float[] keep = new float[ids.length];
                for (int r = 0; r < ids.length; r++) keep[r] = ids[r] == paddingIdx ? 0f : 1f;
                src = Tensor.where(wrap(keep, ids.length, 1), g, wrap(new float[1], 1, 1));   // padding rows pass nothing, not even NaN
            }
            return indexSelectBackward(src, 0, ids, new int[] {num, g.size(1)});
        }
    }
}
