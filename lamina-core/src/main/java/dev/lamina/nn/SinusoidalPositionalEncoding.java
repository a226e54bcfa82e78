package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Adds the fixed sinusoidal position code of "Attention Is All You Need": for position p and pair index i,
 * {@code pe[p, 2i] = sin(p / 10000^(2i/d))}, {@code pe[p, 2i+1] = cos(p / 10000^(2i/d))} (computed in double).
 * The table [maxLen, dModel] is the buffer {@code pe}.
 */
public final class SinusoidalPositionalEncoding extends Module {
    /** What a SinusoidalPositionalEncoding is built from: width, table length, batch-first layout (no parameters). */
    public record Config(int dModel, int maxLen, boolean batchFirst) implements LayerConfig {
        @Override
        public SinusoidalPositionalEncoding build(Rng rng) {
            return new SinusoidalPositionalEncoding(dModel, maxLen, batchFirst);
        }
    }

    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;
    private final Tensor pe;

    public SinusoidalPositionalEncoding(int dModel, int maxLen, boolean batchFirst) {
        if (dModel <= 0 || maxLen <= 0) throw new IllegalArgumentException("SinusoidalPositionalEncoding: d_model and max_len must be positive, got " + dModel + ", " + maxLen);
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        float[] t = new float[maxLen * dModel];
        for (int p = 0; p < maxLen; p++) {
            for (int i = 0; 2 * i < dModel; i++) {
                double angle = p / Math.pow(10000.0, 2.0 * i / dModel);
                t[p * dModel + 2 * i] = (float) Math.sin(angle);
                if (2 * i + 1 < dModel) t[p * dModel + 2 * i + 1] = (float) Math.cos(angle);
            }
        }
        this.pe = registerBuffer("pe", Tensor.of(t, maxLen, dModel));
    }

    /** x [L, B, d] ([B, L, d] with batchFirst) → x + pe[:L], the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return LearnedPositionalEncoding.addPositions(this, x, pe, maxLen, dModel, batchFirst);
    }

    @Override
    public Config config() {
        return new Config(dModel, maxLen, batchFirst);
    }

    public Tensor pe() {
        return pe;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", max_len=" + maxLen + ", batch_first=" + batchFirst;
    }
}
