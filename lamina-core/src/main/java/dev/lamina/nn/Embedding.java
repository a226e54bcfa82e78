package dev.lamina.nn;

import dev.lamina.nn.functional.EmbeddingOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code dim}: {@code weight} [numEmbeddings, dim], drawn from
 * N(0, 1) as in PyTorch. With a {@code paddingIdx}, that row starts at zero and never receives a gradient (PyTorch's
 * {@code padding_idx}; a negative value counts from the end). Token ids are I64 tensors ({@code Tensor.ofLongs}) or
 * integer-valued F32 tensors.
 */
public final class Embedding extends Module {
    /** What an Embedding is built from: the table's row count, the vector size and the padding row (null for none). */
    public record Config(int numEmbeddings, int dim, Integer paddingIdx) implements LayerConfig {
        public Config {
            // a negative index in range counts from the end, as the layer resolves it (out of range is the layer's error)
            if (paddingIdx != null && paddingIdx < 0 && paddingIdx >= -numEmbeddings) paddingIdx += numEmbeddings;
        }

        @Override
        public Embedding build(Rng rng) {
            return new Embedding(numEmbeddings, dim, paddingIdx, rng);
        }
    }

    private final int numEmbeddings;
    private final int dim;
    private final int paddingIdx;
    private final Tensor weight;

    public Embedding(int numEmbeddings, int dim) {
        this(numEmbeddings, dim, null, Rng.global());
    }

    /** @param paddingIdx the padding row, or null for none */
    public Embedding(int numEmbeddings, int dim, Integer paddingIdx, Rng rng) {
        if (numEmbeddings <= 0 || dim <= 0) throw new IllegalArgumentException("Embedding: sizes must be positive, got numEmbeddings=" + numEmbeddings + ", dim=" + dim);
        if (paddingIdx != null && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be within [-" + numEmbeddings + ", " + numEmbeddings + ")");
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = Tensor.randn(rng, numEmbeddings, dim);
        if (this.paddingIdx >= 0) w.narrow(0, this.paddingIdx, 1).fill_(0f);   // the padding row starts at zero
        this.weight = registerParameter("weight", w);
    }

    /** Ids [*] (whole numbers in [0, numEmbeddings)) → [*, dim]. */
    @Override
    public Tensor forward(Tensor ids) {
        return EmbeddingOp.embedding(describe(), ids, weight, paddingIdx);
    }

    public Tensor weight() {
        return weight;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int dim() {
        return dim;
    }

    /** The padding row, or -1 for none. */
    public int paddingIdx() {
        return paddingIdx;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + dim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }

    @Override
    public Config config() {
        return new Config(numEmbeddings, dim, paddingIdx >= 0 ? paddingIdx : null);
    }
}
