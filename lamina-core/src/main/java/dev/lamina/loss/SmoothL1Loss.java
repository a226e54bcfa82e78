package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/** Smooth L1: ½d²/β where |d| < β, else |d| − ½β (PyTorch's {@code smooth_l1_loss}); β = 0 is plain L1. */
public final class SmoothL1Loss implements Loss {
    private final Reduction reduction;
    private final float beta;

    public SmoothL1Loss() {
        this(Reduction.MEAN, 1.0);
    }

    public SmoothL1Loss(Reduction reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss: beta must be non-negative, got " + beta);
        this.reduction = reduction;
        this.beta = (float) beta;
    }

    /** input and target of the same shape → 0-d (MEAN, SUM) or that shape (NONE). */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss.requireSameShape("smooth_l1_loss", input, target);
        Loss.requireFinite("smooth_l1_loss", "input", input);
        Tensor d = input.sub(target);
        Tensor a = d.abs();
        if (beta == 0f) return reduction.apply(a);
        Tensor quadratic = d.square().mul(0.5f / beta);
        Tensor linear = a.sub(0.5f * beta);
        return reduction.apply(Tensor.where(a.lt(beta), quadratic, linear));
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "SmoothL1Loss(reduction=" + Reduction.name(reduction) + ", beta=" + beta + ")";
    }
}
