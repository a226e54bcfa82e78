package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.List;

/** Adam with decoupled weight decay (Loshchilov &amp; Hutter): p ← p(1 − lr·λ) before the Adam step. PyTorch's default λ is 0.01. */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.01);
    }

    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        super(params, lr, true, weightDecay);
    }

    /** Parameter groups with their own lr and weight decay (PyTorch's param_groups); weight decay 0.01 where a group has none. */
    public AdamW(ParamGroups groups, double lr) {
        this(groups, lr, 0.01);
    }

    public AdamW(ParamGroups groups, double lr, double weightDecay) {
        super(groups, lr, true, weightDecay);
    }
}
