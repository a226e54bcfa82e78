package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Updates parameters from their gradients. Parameters without a gradient after backward() are skipped, as in
 * PyTorch. Updates run in place on the parameters' storage and are never recorded on the tape.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected double lr;
    /** Completed steps. */
    protected long steps;

    protected Optimizer(List<Tensor> params, double lr) {
        if (lr < 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be non-negative, got " + lr);
        for (Tensor p : params) {
            if (!p.isLeaf() || !p.isContiguous()) throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters must be contiguous leaf tensors");
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            update(i, p.storage(), p.storageOffset(), g.storage(), g.storageOffset(), p.numel());
        }
    }

    /**
     * Updates parameter {@code index}: values p[po .. po+n), gradient g[go .. go+n). {@link #steps} already counts
     * this step.
     */
    protected abstract void update(int index, float[] p, int po, float[] g, int go, int n);

    /** Forgets all gradients. */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    public List<Tensor> params() {
        return params;
    }

    /** Completed steps. */
    public long stepCount() {
        return steps;
    }

    /**
     * This optimizer's per-parameter state buffers by PyTorch name; each array holds one slot per parameter (null
     * until the optimizer creates that parameter's buffer). {@link #stateDict()} and {@link #loadStateDict} go
     * through it, so every buffer an optimizer keeps must be listed here.
     */
    protected abstract Map<String, float[][]> stateBuffers();

    /** Hyperparameters by PyTorch name (booleans as 0 or 1), for {@link #stateDict()}. */
    protected abstract Map<String, Double> hyperparameters();

    /**
     * Sets the hyperparameters from a state dict; {@code values} has exactly the keys of {@link #hyperparameters()}
     * and finite values. Checks everything before changing anything.
     */
    protected abstract void setHyperparameters(Map<String, Double> values);

    /** A copy of this optimizer's state (see {@link OptimizerState}), as PyTorch's {@code state_dict()}. */
    public OptimizerState stateDict() {
        Map<String, float[][]> slots = stateBuffers();
        List<Map<String, float[]>> perParam = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Map<String, float[]> m = new LinkedHashMap<>();
            for (Map.Entry<String, float[][]> e : slots.entrySet()) {
                if (e.getValue()[i] != null) m.put(e.getKey(), e.getValue()[i]);
            }
            perParam.add(m);
        }
        return new OptimizerState(getClass().getSimpleName(), steps, lr, hyperparameters(), perParam);
    }

    /**
     * Makes this optimizer continue from {@code state}, as PyTorch's {@code load_state_dict}: the step count, the
     * learning rate, the hyperparameters and every state buffer are replaced (buffers absent from the state are
     * dropped, to be created afresh when needed). The state must come from an optimizer of the same class over
     * parameters of the same sizes in the same order; everything is checked before anything changes, and every
     * problem found is listed in the exception.
     *
     * @throws IllegalArgumentException if the state does not fit this optimizer
     */
    public void loadStateDict(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        String name = getClass().getSimpleName();
        List<String> problems = new ArrayList<>();
        if (!state.type().equals(name)) problems.add("the state is of a " + state.type() + " optimizer, this is " + name);
        if (state.step() < 0) problems.add("negative step count " + state.step());
        if (!(state.lr() >= 0) || Double.isInfinite(state.lr())) problems.add("learning rate " + state.lr() + " is not a non-negative number");
        Map<String, Double> own = hyperparameters();
        if (!own.keySet().equals(state.hyperparameters().keySet())) {
            problems.add("hyperparameters " + new TreeSet<>(state.hyperparameters().keySet()) + ", expected " + new TreeSet<>(own.keySet()));
        } else {
            state.hyperparameters().forEach((k, v) -> {
                if (v == null || !Double.isFinite(v)) problems.add("hyperparameter " + k + " = " + v + " is not a finite number");
            });
        }
        Map<String, float[][]> slots = stateBuffers();
        if (state.buffers().size() != params.size()) {
            problems.add("state for " + state.buffers().size() + " parameters, this optimizer has " + params.size());
        } else {
            for (int i = 0; i < params.size(); i++) {
                int n = params.get(i).numel();
                for (Map.Entry<String, float[]> e : state.buffers().get(i).entrySet()) {
                    if (!slots.containsKey(e.getKey())) {
                        problems.add("parameter " + i + ": unknown buffer '" + e.getKey() + "' (" + name + " keeps " + slots.keySet() + ")");
                    } else if (e.getValue().length != n) {
                        problems.add("parameter " + i + ": buffer '" + e.getKey() + "' has " + e.getValue().length + " values, the parameter " + n);
                    }
                }
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(name + ".loadStateDict: " + String.join("; ", problems));
        setHyperparameters(state.hyperparameters());
        for (Map.Entry<String, float[][]> e : slots.entrySet()) {
            float[][] s = e.getValue();
            for (int i = 0; i < s.length; i++) {
                float[] v = state.buffers().get(i).get(e.getKey());
                s[i] = v == null ? null : v.clone();
            }
        }
        steps = state.step();
        lr = state.lr();
    }

    /** Lazily created per-parameter state buffer. */
    protected static float[] state(float[][] slots, int index, int n) {
        if (slots[index] == null) slots[index] = new float[n];
        return slots[index];
    }
}
