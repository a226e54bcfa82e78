package dev.lamina.optim;

import dev.lamina.backend.OptimizerOps;
import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum (heavy-ball or Nesterov), dampening and L2 weight decay,
 * with PyTorch's update rule: g ← g + λp; b ← μb + (1 − τ)g (b ← g on the first step); p ← p − lr·(g + μb if
 * Nesterov else b).
 */
public final class SGD extends Optimizer {
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;
    private final Tensor[] buffers;

    public SGD(List<Tensor> params, double lr) {
        super(params, lr);
        buffers = new Tensor[this.params.size()];
    }

    /** Parameter groups with their own lr and weight decay (PyTorch's param_groups); see {@link ParamGroups}. */
    public SGD(ParamGroups groups, double lr) {
        super(groups, lr);
        buffers = new Tensor[this.params.size()];
    }

    public SGD momentum(double value) {
        momentum = nonNegative("momentum", value);
        return this;
    }

    public SGD dampening(double value) {
        dampening = nonNegative("dampening", value);
        return this;
    }

    public SGD weightDecay(double value) {
        weightDecay = nonNegative("weight_decay", value);
        return this;
    }

    public SGD nesterov(boolean value) {
        nesterov = value;
        return this;
    }

    @Override
    protected java.util.Set<String> flags() {
        return java.util.Set.of("nesterov");
    }

    @Override
    protected Map<String, Tensor[]> stateBuffers() {
        return Map.of("momentum_buffer", buffers);
    }

    @Override
    protected Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("momentum", momentum);
        h.put("dampening", dampening);
        h.put("weight_decay", weightDecay);
        h.put("nesterov", nesterov ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected void setHyperparameters(Map<String, Double> values) {
        momentum = values.get("momentum");
        dampening = values.get("dampening");
        weightDecay = values.get("weight_decay");
        nesterov = values.get("nesterov") != 0;
    }

    @Override
    protected void update(int index, Tensor p, Tensor g) {
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalStateException("SGD: Nesterov momentum needs momentum > 0 and zero dampening");
        boolean first = buffers[index] == null;
        Tensor b = (float) momentum == 0f ? null : state(buffers, index, p);
        p.backend().sgdStep_(p, g, b, new OptimizerOps.SgdStep(lrOf(index), weightDecayOf(index, weightDecay), momentum, dampening, nesterov, first));
    }
}
