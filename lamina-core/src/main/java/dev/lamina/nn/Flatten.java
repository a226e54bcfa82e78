package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Flattens dimensions startDim..endDim into one; by default everything after the batch dimension. */
public final class Flatten extends Module {
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

    public int startDim() {
        return startDim;
    }

    public int endDim() {
        return endDim;
    }
}
