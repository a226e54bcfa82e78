package dev.lamina.optim;

import dev.lamina.backend.OptimizerOps;
import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop with PyTorch's update: s ← αs + (1 − α)g²; optionally centred (subtracting the squared running mean
 * of g) and with momentum; p ← p − lr · g / (√s + ε).
 */
public final class RMSprop extends Optimizer {
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double weightDecay;
    private double momentum;
    private boolean centered;
    private final Tensor[] square;
    private final Tensor[] mean;
    private final Tensor[] buffer;

    public RMSprop(List<Tensor> params, double lr) {
        super(params, lr);
        square = new Tensor[this.params.size()];
        mean = new Tensor[this.params.size()];
        buffer = new Tensor[this.params.size()];
    }

    /** Parameter groups with their own lr and weight decay (PyTorch's param_groups); see {@link ParamGroups}. */
    public RMSprop(ParamGroups groups, double lr) {
        super(groups, lr);
        square = new Tensor[this.params.size()];
        mean = new Tensor[this.params.size()];
        buffer = new Tensor[this.params.size()];
    }

    public RMSprop alpha(double value) {
        alpha = nonNegative("alpha", value);
        return this;
    }

    public RMSprop eps(double value) {
        eps = positive("eps", value);
        return this;
    }

    public RMSprop weightDecay(double value) {
        weightDecay = nonNegative("weight_decay", value);
        return this;
    }

    public RMSprop momentum(double value) {
        momentum = nonNegative("momentum", value);
        return this;
    }

    public RMSprop centered(boolean value) {
        centered = value;
        return this;
    }

    @Override
    protected java.util.Set<String> flags() {
        return java.util.Set.of("centered");
    }

    @Override
    protected Map<String, Tensor[]> stateBuffers() {
        Map<String, Tensor[]> m = new LinkedHashMap<>();
        m.put("square_avg", square);
        m.put("grad_avg", mean);
        m.put("momentum_buffer", buffer);
        return m;
    }

    @Override
    protected Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("alpha", alpha);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        h.put("momentum", momentum);
        h.put("centered", centered ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected void setHyperparameters(Map<String, Double> values) {
        alpha = values.get("alpha");
        eps = values.get("eps");
        weightDecay = values.get("weight_decay");
        momentum = values.get("momentum");
        centered = values.get("centered") != 0;
    }

    @Override
    protected void update(int index, Tensor p, Tensor g) {
        Tensor s = state(square, index, p);
        Tensor ga = centered ? state(mean, index, p) : null;
        Tensor b = momentum > 0 ? state(buffer, index, p) : null;
        p.backend().rmspropStep_(p, g, s, ga, b, new OptimizerOps.RmspropStep(lrOf(index), alpha, eps, weightDecayOf(index, weightDecay), momentum));
    }
}
