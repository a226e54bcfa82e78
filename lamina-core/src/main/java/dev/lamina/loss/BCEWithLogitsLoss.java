package dev.lamina.loss;

import dev.lamina.backend.LossOps;
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
        Tensor w = null;
        if (posWeight != null) {
            try {
                w = posWeight.detach().add(Tensor.zeros(shape)).contiguous();
            } catch (ShapeException e) {
                throw new ShapeException("binary_cross_entropy_with_logits: pos_weight of shape " + Shape.str(posWeight.shape()) + " does not broadcast to logits " + Shape.str(shape));
            }
        }
        LossOps.BinaryCrossEntropy r = logits.backend().binaryCrossEntropyWithLogits(logits.detach(), target.detach(), w);
        Tensor perElement = Tensor.fromOp("binary_cross_entropy_with_logits", r.loss(), g -> new Tensor[] {g.mul(r.dlossDlogits())}, logits);
        return reduction.apply(perElement);
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "BCEWithLogitsLoss(reduction=" + Reduction.name(reduction) + (posWeight != null ? ", pos_weight=" + dev.lamina.tensor.Shape.str(posWeight.shape()) : "") + ")";
    }
}
