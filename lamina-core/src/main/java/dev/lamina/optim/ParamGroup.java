package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.Objects;

/**
 * Parameters that an optimizer updates with their own learning rate and weight decay, as one entry of PyTorch's
 * {@code param_groups}: {@code ParamGroup.of(head.parameters()).lr(1e-2).weightDecay(0)}. A null {@code lr} or
 * {@code weightDecay} takes the optimizer's own value.
 */
public record ParamGroup(List<Tensor> params, Double lr, Double weightDecay) {
    public ParamGroup {
        Objects.requireNonNull(params, "ParamGroup: params");
        params = List.copyOf(params);
        if (lr != null && (!(lr >= 0) || Double.isInfinite(lr))) throw new IllegalArgumentException("ParamGroup: lr must be a finite number >= 0, got " + lr);
        if (weightDecay != null && (!(weightDecay >= 0) || Double.isInfinite(weightDecay))) {
            throw new IllegalArgumentException("ParamGroup: weight_decay must be a finite number >= 0, got " + weightDecay);
        }
    }

    /** The parameters with the optimizer's learning rate and weight decay. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params, null, null);
    }

    public ParamGroup lr(double value) {
        return new ParamGroup(params, value, weightDecay);
    }

    public ParamGroup weightDecay(double value) {
        return new ParamGroup(params, lr, value);
    }
}
