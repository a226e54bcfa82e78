package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/** Mean absolute error, |input − target|, reduced. */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    /** input and target of the same shape → 0-d (MEAN, SUM) or that shape (NONE). */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss.requireSameShape("l1_loss", input, target);
        Loss.requireFinite("l1_loss", "input", input);
        return reduction.apply(input.sub(target).abs());
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "L1Loss(reduction=" + Reduction.name(reduction) + ")";
    }
}
