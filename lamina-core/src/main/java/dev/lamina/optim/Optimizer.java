package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.List;

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

    /** Lazily created per-parameter state buffer. */
    protected static float[] state(float[][] slots, int index, int n) {
        if (slots[index] == null) slots[index] = new float[n];
        return slots[index];
    }
}
