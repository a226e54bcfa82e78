package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Adds a learned position vector: {@code weight} [maxLen, dModel], drawn from N(0, 1) like an {@link Embedding} of
 * positions; position p of the input gets row p.
 */
public final class LearnedPositionalEncoding extends Module {
    /** What a LearnedPositionalEncoding is built from: table length, width, batch-first layout. */
    public record Config(int maxLen, int dModel, boolean batchFirst) implements LayerConfig {
        @Override
        public LearnedPositionalEncoding build(Rng rng) {
            return new LearnedPositionalEncoding(maxLen, dModel, batchFirst, rng);
        }
    }

    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;
    private final Tensor weight;

    public LearnedPositionalEncoding(int maxLen, int dModel, boolean batchFirst, Rng rng) {
        if (dModel <= 0 || maxLen <= 0) throw new IllegalArgumentException("LearnedPositionalEncoding: d_model and max_len must be positive, got " + dModel + ", " + maxLen);
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        this.weight = registerParameter("weight", Tensor.randn(rng, maxLen, dModel));
    }

    /** x [L, B, d] ([B, L, d] with batchFirst) → x + weight[:L], the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return addPositions(this, x, weight, maxLen, dModel, batchFirst);
    }

    static Tensor addPositions(Module m, Tensor x, Tensor table, int maxLen, int dModel, boolean batchFirst) {
        String shape = batchFirst ? "[B, L, " + dModel + "]" : "[L, B, " + dModel + "]";
        if (x.dim() != 3 || x.size(2) != dModel) throw m.shapeError(shape, x);
        int len = x.size(batchFirst ? 1 : 0);
        if (len > maxLen) throw new dev.lamina.tensor.ShapeException(m.describe() + ": sequence length " + len + " of input " + dev.lamina.tensor.Shape.str(x.shape()) + " exceeds max_len " + maxLen);
        Tensor rows = table.narrow(0, 0, len);
        return x.add(batchFirst ? rows : rows.unsqueeze(1));
    }

    @Override
    public Config config() {
        return new Config(maxLen, dModel, batchFirst);
    }

    public Tensor weight() {
        return weight;
    }

    @Override
    protected String extraRepr() {
        return "max_len=" + maxLen + ", d_model=" + dModel + ", batch_first=" + batchFirst;
    }
}
