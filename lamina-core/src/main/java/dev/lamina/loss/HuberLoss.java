package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/** Huber loss: ½d² where |d| < δ, else δ(|d| − ½δ), with d = input − target (PyTorch's {@code huber_loss}). */
public final class HuberLoss implements Loss {
    private final Reduction reduction;
    private final float delta;

    public HuberLoss() {
        this(Reduction.MEAN, 1.0);
    }

    public HuberLoss(Reduction reduction, double delta) {
        if (delta <= 0) throw new IllegalArgumentException("huber_loss: delta must be positive, got " + delta);
        this.reduction = reduction;
        this.delta = (float) delta;
    }

    /** input and target of the same shape → 0-d (MEAN, SUM) or that shape (NONE). */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss.requireSameShape("huber_loss", input, target);
        Loss.requireFinite("huber_loss", "input", input);
        Tensor d = input.sub(target);
        Tensor a = d.abs();
        Tensor quadratic = d.square().mul(0.5f);
        Tensor linear = a.sub(0.5f * delta).mul(delta);
        return reduction.apply(Tensor.where(a.lt(delta), quadratic, linear));
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "HuberLoss(reduction=" + Reduction.name(reduction) + ", delta=" + delta + ")";
    }
}
