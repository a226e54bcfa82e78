package dev.lamina.optim;

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
    private final float[][] square;
    private final float[][] mean;
    private final float[][] buffer;

    public RMSprop(List<Tensor> params, double lr) {
        super(params, lr);
        square = new float[this.params.size()][];
        mean = new float[this.params.size()][];
        buffer = new float[this.params.size()][];
    }

    /** Parameter groups with their own lr and weight decay (PyTorch's param_groups); see {@link ParamGroups}. */
    public RMSprop(ParamGroups groups, double lr) {
        super(groups, lr);
        square = new float[this.params.size()][];
        mean = new float[this.params.size()][];
        buffer = new float[this.params.size()][];
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
    protected Map<String, float[][]> stateBuffers() {
        Map<String, float[][]> m = new LinkedHashMap<>();
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
    protected void update(int index, float[] p, int po, float[] g, int go, int n) {
        float[] s = state(square, index, n);
        float[] ga = centered ? state(mean, index, n) : null;
        float[] b = momentum > 0 ? state(buffer, index, n) : null;
        float a = (float) alpha, e = (float) eps, wd = (float) weightDecayOf(index, weightDecay), mu = (float) momentum, lr = (float) lrOf(index);
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + wd * p[po + i];
            float si = a * s[i] + (1 - a) * gi * gi;
            s[i] = si;
            float var = si;
            if (ga != null) {
                float mi = a * ga[i] + (1 - a) * gi;
                ga[i] = mi;
                var = si - mi * mi;
            }
            float step = gi / ((float) Math.sqrt(var) + e);
            if (b != null) {
                b[i] = mu * b[i] + step;
                step = b[i];
            }
            p[po + i] -= lr * step;
        }
    }
}
