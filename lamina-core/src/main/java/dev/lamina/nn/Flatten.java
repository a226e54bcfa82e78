package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Flattens dimensions startDim..endDim into one; by default everything after the batch dimension. */
public final class Flatten extends Module {
    /** What a Flatten is built from: the first and last dimension it merges (negative counts from the end). */
    public record Config(int startDim, int endDim) implements LayerConfig {
        @Override
        public Flatten build(Rng rng) {
            return new Flatten(startDim, endDim);
        }
    }

    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** [N, d1, d2, ...] → [N, d1·d2·...] (for the defaults). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() <= Math.max(startDim, 0)) throw shapeError("at least " + (startDim + 1) + " dimensions", x);
        return x.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start=" + startDim + ", end=" + endDim;
    }

    @Override
    public Config config() {
        return new Config(startDim, endDim);
    }
}
