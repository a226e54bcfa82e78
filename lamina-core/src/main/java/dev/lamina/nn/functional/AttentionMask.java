package dev.lamina.nn.functional;

import dev.lamina.tensor.Tensor;

/**
 * A mask on attention scores. Lamina has no boolean dtype, so the kind travels with the values: a {@link #bool}
 * mask holds 0/1 floats where 1 (any non-zero) means "masked" (PyTorch's {@code True} in a bool
 * {@code key_padding_mask} or {@code attn_mask}); an {@link #additive} mask is added to the scores (0 keeps,
 * {@code -inf} masks, anything else biases).
 *
 * @param values the mask values; masks never receive a gradient
 * @param additive whether the values are added to the scores (else they are 0/1 flags)
 */
public record AttentionMask(Tensor values, boolean additive) {
    public AttentionMask {
        if (values == null) throw new IllegalArgumentException("AttentionMask: values must not be null");
    }

    /** 0/1 flags, 1 = masked (PyTorch's bool masks). */
    public static AttentionMask bool(Tensor values) {
        return new AttentionMask(values, false);
    }

    /** Values added to the attention scores (PyTorch's float masks). */
    public static AttentionMask additive(Tensor values) {
        return new AttentionMask(values, true);
    }

    /** An additive [size, size] causal mask: 0 on and below the diagonal, -inf above it. */
    public static AttentionMask causal(int size) {
        float[] m = new float[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) m[i * size + j] = Float.NEGATIVE_INFINITY;
        }
        return additive(Tensor.of(m, size, size));
    }
}
