package dev.lamina.nn;

import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.tensor.Tensor;

import java.util.function.Supplier;

/**
 * A stack of encoder layers ({@code layers.0}, {@code layers.1}, ... as in PyTorch's {@code nn.TransformerEncoder})
 * with an optional final {@code norm}. Each layer is a fresh one from the factory (PyTorch deep-copies one layer,
 * so its copies start equal; load a state dict to get the same weights).
 */
public final class TransformerEncoder extends Module {
    private final Sequential layers;
    private final LayerNorm norm;

    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /** @param norm applied after the last layer, or null */
    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("TransformerEncoder: num_layers must be positive, got " + numLayers);
        this.layers = registerModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++) layers.add(layer.get());
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** src [L, B, E] ([B, L, E] with batchFirst layers) → the same shape. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /** Masks as for {@link TransformerEncoderLayer#forward(Tensor, AttentionMask, AttentionMask, boolean)}, given to every layer. */
    public Tensor forward(Tensor src, AttentionMask mask, AttentionMask srcKeyPaddingMask, boolean causal) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) x = ((TransformerEncoderLayer) layers.get(i)).forward(x, mask, srcKeyPaddingMask, causal);
        return norm == null ? x : norm.forward(x);
    }

    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers.get(i);
    }

    public int numLayers() {
        return layers.size();
    }
}
