package dev.lamina.optim;

import dev.lamina.backend.OptimizerOps;
import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba) with PyTorch's update, optional AMSGrad, and weight decay either as L2 added to the
 * gradient (Adam) or decoupled (AdamW, see {@link AdamW}):
 * m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
 */
public class Adam extends Optimizer {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private boolean amsgrad;
    private final boolean decoupled;
    private final Tensor[] m;
    private final Tensor[] v;
    private final Tensor[] vMax;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, false, 0);
    }

    /** Parameter groups with their own lr and weight decay (PyTorch's param_groups); see {@link ParamGroups}. */
    public Adam(ParamGroups groups, double lr) {
        this(groups, lr, false, 0);
    }

    protected Adam(List<Tensor> params, double lr, boolean decoupledWeightDecay, double weightDecay) {
        super(params, lr);
        this.decoupled = decoupledWeightDecay;
        this.weightDecay = nonNegative("weight_decay", weightDecay);
        m = new Tensor[this.params.size()];
        v = new Tensor[this.params.size()];
        vMax = new Tensor[this.params.size()];
    }

    protected Adam(ParamGroups groups, double lr, boolean decoupledWeightDecay, double weightDecay) {
        super(groups, lr);
        this.decoupled = decoupledWeightDecay;
        this.weightDecay = nonNegative("weight_decay", weightDecay);
        m = new Tensor[this.params.size()];
        v = new Tensor[this.params.size()];
        vMax = new Tensor[this.params.size()];
    }

    public Adam betas(double b1, double b2) {
        unitInterval("beta1", b1);
        unitInterval("beta2", b2);
        beta1 = b1;
        beta2 = b2;
        return this;
    }

    public Adam eps(double value) {
        eps = positive("eps", value);
        return this;
    }

    public Adam weightDecay(double value) {
        weightDecay = nonNegative("weight_decay", value);
        return this;
    }

    public Adam amsgrad(boolean value) {
        amsgrad = value;
        return this;
    }

    @Override
    protected java.util.Set<String> flags() {
        return java.util.Set.of("amsgrad");
    }

    @Override
    protected Map<String, Tensor[]> stateBuffers() {
        Map<String, Tensor[]> s = new LinkedHashMap<>();
        s.put("exp_avg", m);
        s.put("exp_avg_sq", v);
        s.put("max_exp_avg_sq", vMax);
        return s;
    }

    @Override
    protected Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        h.put("amsgrad", amsgrad ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected void setHyperparameters(Map<String, Double> values) {
        double b1 = values.get("beta1"), b2 = values.get("beta2");
        if (b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1) throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: betas must be in [0, 1), got " + b1 + ", " + b2);
        beta1 = b1;
        beta2 = b2;
        eps = values.get("eps");
        weightDecay = values.get("weight_decay");
        amsgrad = values.get("amsgrad") != 0;
    }

    @Override
    protected void update(int index, Tensor p, Tensor g) {
        Tensor mi = state(m, index, p), vi = state(v, index, p);
        Tensor vmax = amsgrad ? state(vMax, index, p) : null;
        p.backend().adamStep_(p, g, mi, vi, vmax, new OptimizerOps.AdamStep(lrOf(index), beta1, beta2, eps, weightDecayOf(index, this.weightDecay), decoupled, steps));
    }
}
