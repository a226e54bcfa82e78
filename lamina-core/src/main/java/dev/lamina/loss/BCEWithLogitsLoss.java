package dev.lamina.loss;

import dev.lamina.kernels.Elementwise;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Binary cross-entropy on logits, fused with the sigmoid and stable for any logit size:
 * ℓ = (1 − y)·x + (1 + (w − 1)·y)·softplus(−x), with w the optional positive-class weight (broadcast over the
 * last dimension, as PyTorch's {@code pos_weight}).
 */
public final class BCEWithLogitsLoss implements Loss {
    private final Reduction reduction;
    private final Tensor posWeight;

    public BCEWithLogitsLoss() {
        this(Reduction.MEAN, null);
    }

    /** @param posWeight weight of positive examples per class ([C]), or null */
    public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight) {
        this.reduction = reduction;
        this.posWeight = posWeight;
    }

    /** logits and targets (in [0, 1]) of the same shape → 0-d (MEAN, SUM) or that shape (NONE). */
    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        Loss.requireSameShape("binary_cross_entropy_with_logits", logits, target);
        Loss.requireFinite("binary_cross_entropy_with_logits", "logits", logits);
        int[] shape = logits.shape();
        float[] x = logits.toArray(), y = target.toArray();
        float[] w = null;
        if (posWeight != null) {
            try {
                w = posWeight.detach().add(Tensor.zeros(shape)).toArray();
            } catch (ShapeException e) {
                throw new ShapeException("binary_cross_entropy_with_logits: pos_weight of shape " + Shape.str(posWeight.shape()) + " does not broadcast to logits " + Shape.str(shape));
            }
        }
        float[] loss = new float[x.length];
        float[] dldx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i], yi = y[i];
            double l = w == null ? 1 : 1 + (w[i] - 1) * yi;
            loss[i] = (float) ((1 - yi) * xi + l * Elementwise.softplus(-xi));
            dldx[i] = (float) ((1 - yi) - l * (1 - Elementwise.sigmoid((float) xi)));
        }
        Tensor perElement = Tensor.fromOp("binary_cross_entropy_with_logits", Tensor.of(loss, shape),
                g -> new Tensor[] {g.mul(Tensor.of(dldx, shape))}, logits);
        return reduction.apply(perElement);
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "BCEWithLogitsLoss(reduction=" + Reduction.name(reduction) + (posWeight != null ? ", pos_weight=" + dev.lamina.tensor.Shape.str(posWeight.shape()) : "") + ")";
    }
}
