package dev.lamina.nn;

import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerEncoderLayer}: self-attention then a feed-forward block
 * {@code linear2(dropout(activation(linear1(x))))}, each with a residual connection and a LayerNorm (eps 1e-5):
 * <pre>
 *   post-norm (default): x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(ff(x)))
 *   pre-norm (normFirst): x = x + dropout1(self_attn(norm1(x))); x = x + dropout2(ff(norm2(x)))
 * </pre>
 * Sub-modules carry PyTorch's names ({@code self_attn}, {@code linear1}, {@code linear2}, {@code norm1},
 * {@code norm2}), so a PyTorch state dict loads unchanged.
 */
public final class TransformerEncoderLayer extends Module {
    /**
     * What a TransformerEncoderLayer is built from: d_model, heads, feed-forward width, dropout, activation
     * ("relu" or "gelu"), pre- or post-norm, batch-first layout.
     */
    public record Config(int dModel, int nhead, int dimFeedforward, double dropout, String activation, boolean normFirst, boolean batchFirst)
            implements LayerConfig {
        @Override
        public TransformerEncoderLayer build(Rng rng) {
            return new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, normFirst, batchFirst, rng);
        }
    }

    private final Config config;
    private final int dModel;
    private final boolean normFirst;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Module activation;

    /** relu, dropout 0.1, post-norm, sequence-first: PyTorch's defaults. */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward) {
        this(dModel, nhead, dimFeedforward, 0.1, "relu", false, false, Rng.global());
    }

    /** @param activation "relu" or "gelu" (exact) */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, boolean normFirst,
                                   boolean batchFirst, Rng rng) {
        if (dimFeedforward <= 0) throw new IllegalArgumentException("TransformerEncoderLayer: dim_feedforward must be positive, got " + dimFeedforward);
        this.activation = TransformerDecoderLayer.activation("TransformerEncoderLayer", activation);
        this.config = new Config(dModel, nhead, dimFeedforward, dropout, activation, normFirst, batchFirst);
        this.dModel = dModel;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, rng));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, rng));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng.split()));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, rng));
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, rng.split()));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, rng.split()));
    }

    /** src [L, B, E] ([B, L, E] with batchFirst, or [L, E]) → the same shape. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * @param srcMask null, [L, L] or [B·nhead, L, L]
     * @param srcKeyPaddingMask null or [B, L]
     * @param causal also mask future positions (inside the kernel, without a mask tensor)
     */
    public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask, boolean causal) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.forward(x), srcMask, srcKeyPaddingMask, causal));
            x = x.add(feedForward(norm2.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, causal)));
            x = norm2.forward(x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, AttentionMask mask, AttentionMask padding, boolean causal) {
        return dropout1.forward(selfAttn.forward(x, x, x, padding, mask, false, true, causal).output());
    }

    private Tensor feedForward(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }

    @Override
    public Config config() {
        return config;
    }

    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    public int dModel() {
        return dModel;
    }

    public boolean normFirst() {
        return normFirst;
    }

    /** The feed-forward activation: a {@link ReLU} or an exact {@link GELU}. */
    public Module activation() {
        return activation;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", norm_first=" + normFirst + ", activation=" + activation.getClass().getSimpleName();
    }
}
