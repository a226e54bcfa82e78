package dev.lamina.nn;

import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.tensor.Tensor;

import java.util.function.Supplier;

/**
 * A stack of decoder layers ({@code layers.0}, {@code layers.1}, ... as in PyTorch's {@code nn.TransformerDecoder})
 * with an optional final {@code norm}. Every layer attends to the same {@code memory} and gets the same masks. Each
 * layer is a fresh one from the factory (PyTorch deep-copies one layer, so its copies start equal; load a state dict
 * to get the same weights).
 */
public final class TransformerDecoder extends Module {
    private final Sequential layers;
    private final LayerNorm norm;

    public TransformerDecoder(Supplier<TransformerDecoderLayer> layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /** @param norm applied after the last layer, or null */
    public TransformerDecoder(Supplier<TransformerDecoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("TransformerDecoder: num_layers must be positive, got " + numLayers);
        this.layers = registerModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++) layers.add(layer.get());
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** A decoder needs the encoder's output: use {@link #forward(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(describe() + ": a decoder needs memory; call forward(tgt, memory)");
    }

    /** tgt [T, B, E], memory [S, B, E] ([B, T, E], [B, S, E] with batchFirst layers) → [T, B, E] ([B, T, E]). */
    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false);
    }

    /** As PyTorch's {@code forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)}. */
    public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask, AttentionMask tgtKeyPaddingMask,
                          AttentionMask memoryKeyPaddingMask) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false);
    }

    /**
     * Masks as for {@link TransformerDecoderLayer#forward(Tensor, Tensor, AttentionMask, AttentionMask, AttentionMask,
     * AttentionMask, boolean)}, given to every layer.
     *
     * @param tgtCausal every layer's self-attention masks future target positions (inside the kernel)
     */
    public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask, AttentionMask tgtKeyPaddingMask,
                          AttentionMask memoryKeyPaddingMask, boolean tgtCausal) {
        Tensor x = tgt;
        for (int i = 0; i < layers.size(); i++) {
            x = layer(i).forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtCausal);
        }
        return norm == null ? x : norm.forward(x);
    }

    public TransformerDecoderLayer layer(int i) {
        return (TransformerDecoderLayer) layers.get(i);
    }

    public int numLayers() {
        return layers.size();
    }

    /** The final norm, or null. */
    public LayerNorm norm() {
        return norm;
    }
}
