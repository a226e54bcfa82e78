package dev.lamina.nn;

import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerDecoderLayer}: self-attention over the target, cross-attention to the encoder's
 * {@code memory}, then a feed-forward block, each with a residual connection and a LayerNorm (eps 1e-5):
 * <pre>
 *   post-norm: x = norm1(x + sa(x)); x = norm2(x + mha(x, memory)); x = norm3(x + ff(x))
 *   pre-norm:  x = x + sa(norm1(x)); x = x + mha(norm2(x), memory); x = x + ff(norm3(x))
 * </pre>
 * Sub-modules: {@code self_attn}, {@code multihead_attn}, {@code linear1}, {@code linear2}, {@code norm1..3}.
 */
public final class TransformerDecoderLayer extends Module {
    private final int dModel;
    private final boolean normFirst;
    private final MultiheadAttention selfAttn;
    private final MultiheadAttention multiheadAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Dropout dropout3;
    private final Module activation;

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward) {
        this(dModel, nhead, dimFeedforward, 0.1, "relu", false, false, Rng.global());
    }

    /** @param activation "relu" or "gelu" (exact) */
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, boolean normFirst,
                                   boolean batchFirst, Rng rng) {
        if (dimFeedforward <= 0) throw new IllegalArgumentException("TransformerDecoderLayer: dim_feedforward must be positive, got " + dimFeedforward);
        this.dModel = dModel;
        this.normFirst = normFirst;
        this.activation = activation("TransformerDecoderLayer", activation);
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, rng));
        this.multiheadAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, rng));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, rng));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng.split()));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, rng));
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.norm3 = registerModule("norm3", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, rng.split()));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, rng.split()));
        this.dropout3 = registerModule("dropout3", new Dropout(dropout, rng.split()));
    }

    static Module activation(String layer, String name) {
        return switch (name) {
            case "relu" -> new ReLU();
            case "gelu" -> new GELU();
            default -> throw new IllegalArgumentException(layer + ": activation must be \"relu\" or \"gelu\", got \"" + name + "\"");
        };
    }

    /** A decoder layer needs the encoder's output: use {@link #forward(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(describe() + ": a decoder layer needs memory; call forward(tgt, memory)");
    }

    /** tgt [T, B, E], memory [S, B, E] ([B, T, E], [B, S, E] with batchFirst) → [T, B, E]. */
    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false);
    }

    /**
     * @param tgtMask null, [T, T] or [B·nhead, T, T]
     * @param memoryMask null, [T, S] or [B·nhead, T, S]
     * @param tgtKeyPaddingMask null or [B, T]
     * @param memoryKeyPaddingMask null or [B, S]
     * @param tgtCausal mask future target positions in the self-attention (inside the kernel)
     */
    public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask, AttentionMask tgtKeyPaddingMask,
                          AttentionMask memoryKeyPaddingMask, boolean tgtCausal) {
        Tensor x = tgt;
        if (normFirst) {
            x = x.add(selfAttention(norm1.forward(x), tgtMask, tgtKeyPaddingMask, tgtCausal));
            x = x.add(crossAttention(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
            x = x.add(feedForward(norm3.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttention(x, tgtMask, tgtKeyPaddingMask, tgtCausal)));
            x = norm2.forward(x.add(crossAttention(x, memory, memoryMask, memoryKeyPaddingMask)));
            x = norm3.forward(x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, AttentionMask mask, AttentionMask padding, boolean causal) {
        return dropout1.forward(selfAttn.forward(x, x, x, padding, mask, false, true, causal).output());
    }

    private Tensor crossAttention(Tensor x, Tensor memory, AttentionMask mask, AttentionMask padding) {
        return dropout2.forward(multiheadAttn.forward(x, memory, memory, padding, mask, false, true).output());
    }

    private Tensor feedForward(Tensor x) {
        return dropout3.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }

    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    public MultiheadAttention multiheadAttn() {
        return multiheadAttn;
    }

    public int dModel() {
        return dModel;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", norm_first=" + normFirst + ", activation=" + activation.getClass().getSimpleName();
    }
}
