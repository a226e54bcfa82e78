package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/** Mean squared error, (input − target)², reduced. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        this.reduction = reduction;
    }

    /** input and target of the same shape → 0-d (MEAN, SUM) or that shape (NONE). */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss.requireSameShape("mse_loss", input, target);
        Loss.requireFinite("mse_loss", "input", input);
        return reduction.apply(input.sub(target).square());
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "MSELoss(reduction=" + Reduction.name(reduction) + ")";
    }
}
