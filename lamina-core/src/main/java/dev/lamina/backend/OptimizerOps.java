package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.Tensor;

/**
 * Optimizer updates and the gradient arithmetic around them (global norm, clipping), in place on a parameter, its
 * gradient and its state buffers. Every tensor passed to a step is contiguous and has the parameter's shape; the
 * step rewrites the parameter and the state buffers it is given, never the gradient. The options records carry the
 * optimizer's hyperparameters for this step as the optimizer holds them (doubles), and derive the float scalars the
 * update uses, so every backend rounds them the same way.
 *
 * <p>The default bodies are composed from the {@link TensorOps} primitives, each element's formula evaluated in the
 * same order as the CPU kernels' scalar loop, with {@link #copyInto_} writing the results back; they run without a
 * tape.
 */
public interface OptimizerOps extends TensorOps {

    /**
     * One SGD step (PyTorch's rule).
     *
     * @param lr          learning rate
     * @param weightDecay L2 coefficient λ added to the gradient: d = g + λp
     * @param momentum    μ; 0 means plain SGD and no buffer
     * @param dampening   τ: b ← μb + (1 − τ)d
     * @param nesterov    p ← p − lr·(d + μb) instead of p − lr·b
     * @param first       whether the momentum buffer was just created (then b ← d)
     */
    record SgdStep(double lr, double weightDecay, double momentum, double dampening, boolean nesterov, boolean first) {
        /** (float) (1 − τ): the weight of the new gradient in the buffer. */
        public float keep() {
            return (float) (1 - dampening);
        }
    }

    /**
     * p ← p − lr·d (μ = 0), or b ← d on the first step else μb + (1 − τ)d, p ← p − lr·(Nesterov ? d + μb : b),
     * with d = g + λp.
     *
     * @param p        parameter, updated in place
     * @param g        its gradient (same shape)
     * @param momentum the momentum buffer (same shape), updated in place; null when {@code o.momentum() == 0}
     */
    default void sgdStep_(Tensor p, Tensor g, Tensor momentum, SgdStep o) {
        float lr = (float) o.lr(), wd = (float) o.weightDecay(), mu = (float) o.momentum(), keep = o.keep();
        int[] shape = p.shape();
        try (var s = Autograd.noGrad()) {
            Tensor d = binary(Binary.ADD, g, binaryScalar(Binary.MUL, p, wd), shape);
            if (mu == 0f) {
                copyInto_(binary(Binary.SUB, p, binaryScalar(Binary.MUL, d, lr), shape), p);
                return;
            }
            Tensor b = o.first() ? d : binary(Binary.ADD, binaryScalar(Binary.MUL, momentum, mu), binaryScalar(Binary.MUL, d, keep), shape);
            Tensor dir = o.nesterov() ? binary(Binary.ADD, d, binaryScalar(Binary.MUL, b, mu), shape) : b;
            Tensor np = binary(Binary.SUB, p, binaryScalar(Binary.MUL, dir, lr), shape);
            copyInto_(b, momentum);
            copyInto_(np, p);
        }
    }

    /**
     * One Adam or AdamW step (PyTorch's rule).
     *
     * @param lr          learning rate
     * @param beta1       β₁
     * @param beta2       β₂
     * @param eps         ε
     * @param weightDecay λ: added to the gradient as L2 (Adam), or p ← p(1 − lr·λ) first (decoupled, AdamW)
     * @param decoupled   whether the weight decay is decoupled
     * @param step        completed steps counting this one (t ≥ 1), for the bias corrections
     */
    record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        /** (float) (lr / (1 − β₁ᵗ)). */
        public float stepSize() {
            return (float) (lr / (1 - Math.pow(beta1, step)));
        }

        /** (float) (1 / √(1 − β₂ᵗ)). */
        public float invSqrtBc2() {
            return (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        }

        /** The L2 coefficient added to the gradient: λ for Adam, 0 for AdamW. */
        public float l2() {
            return decoupled ? 0f : (float) weightDecay;
        }

        /** Whether p is first multiplied by {@link #shrink()} (decoupled decay with λ ≠ 0). */
        public boolean shrinks() {
            return decoupled && weightDecay != 0;
        }

        /** (float) (1 − lr·λ). */
        public float shrink() {
            return (float) (1 - lr * weightDecay);
        }
    }

    /**
     * (AdamW: p ← p·shrink;) d = g + l2·p; m ← β₁m + (1 − β₁)d; v ← β₂v + (1 − β₂)d²; AMSGrad: vmax ← max(vmax, v),
     * used instead of v; p ← p − stepSize·m / (√v·invSqrtBc2 + ε).
     *
     * @param p    parameter, updated in place
     * @param g    its gradient
     * @param m    first-moment buffer, updated in place
     * @param v    second-moment buffer, updated in place
     * @param vMax AMSGrad's running maximum of v, updated in place; null without AMSGrad
     */
    default void adamStep_(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vMax, AdamStep o) {
        float b1 = (float) o.beta1(), b2 = (float) o.beta2(), e = (float) o.eps();
        float stepSize = o.stepSize(), invSqrtBc2 = o.invSqrtBc2(), l2 = o.l2();
        int[] shape = p.shape();
        try (var s = Autograd.noGrad()) {
            Tensor pv = o.shrinks() ? binaryScalar(Binary.MUL, p, o.shrink()) : p;
            Tensor d = binary(Binary.ADD, g, binaryScalar(Binary.MUL, pv, l2), shape);
            Tensor mv = binary(Binary.ADD, binaryScalar(Binary.MUL, m, b1), binaryScalar(Binary.MUL, d, 1 - b1), shape);
            Tensor vv = binary(Binary.ADD, binaryScalar(Binary.MUL, v, b2), binary(Binary.MUL, binaryScalar(Binary.MUL, d, 1 - b2), d, shape), shape);
            Tensor second = vMax == null ? vv : binary(Binary.MAX, vMax, vv, shape);
            Tensor denom = binaryScalar(Binary.ADD, binaryScalar(Binary.MUL, unary(Unary.SQRT, second), invSqrtBc2), e);
            Tensor np = binary(Binary.SUB, pv, binary(Binary.DIV, binaryScalar(Binary.MUL, mv, stepSize), denom, shape), shape);
            copyInto_(mv, m);
            copyInto_(vv, v);
            if (vMax != null) copyInto_(second, vMax);
            copyInto_(np, p);
        }
    }

    /**
     * One RMSprop step (PyTorch's rule).
     *
     * @param lr          learning rate
     * @param alpha       smoothing constant α
     * @param eps         ε
     * @param weightDecay L2 coefficient λ added to the gradient
     * @param momentum    μ; 0 means no momentum buffer
     */
    record RmspropStep(double lr, double alpha, double eps, double weightDecay, double momentum) {}

    /**
     * d = g + λp; s ← αs + (1 − α)d²; centred: a ← αa + (1 − α)d and the variance s − a², else s; u = d / (√var + ε);
     * momentum: b ← μb + u, u = b; p ← p − lr·u.
     *
     * @param p        parameter, updated in place
     * @param g        its gradient
     * @param square   running mean of d², updated in place
     * @param gradAvg  running mean of d (centred), updated in place; null when not centred
     * @param momentum momentum buffer, updated in place; null when μ = 0
     */
    default void rmspropStep_(Tensor p, Tensor g, Tensor square, Tensor gradAvg, Tensor momentum, RmspropStep o) {
        float a = (float) o.alpha(), e = (float) o.eps(), wd = (float) o.weightDecay(), mu = (float) o.momentum(), lr = (float) o.lr();
        int[] shape = p.shape();
        try (var s = Autograd.noGrad()) {
            Tensor d = binary(Binary.ADD, g, binaryScalar(Binary.MUL, p, wd), shape);
            Tensor si = binary(Binary.ADD, binaryScalar(Binary.MUL, square, a), binary(Binary.MUL, binaryScalar(Binary.MUL, d, 1 - a), d, shape), shape);
            Tensor var = si;
            Tensor mi = null;
            if (gradAvg != null) {
                mi = binary(Binary.ADD, binaryScalar(Binary.MUL, gradAvg, a), binaryScalar(Binary.MUL, d, 1 - a), shape);
                var = binary(Binary.SUB, si, binary(Binary.MUL, mi, mi, shape), shape);
            }
            Tensor u = binary(Binary.DIV, d, binaryScalar(Binary.ADD, unary(Unary.SQRT, var), e), shape);
            if (momentum != null) u = binary(Binary.ADD, binaryScalar(Binary.MUL, momentum, mu), u, shape);
            Tensor np = binary(Binary.SUB, p, binaryScalar(Binary.MUL, u, lr), shape);
            copyInto_(si, square);
            if (mi != null) copyInto_(mi, gradAvg);
            if (momentum != null) copyInto_(u, momentum);
            copyInto_(np, p);
        }
    }

    /**
     * Σ x² over a contiguous tensor, accumulated in double (the CPU kernel squares each element in double; the default
     * squares in float and sums in double), for a global gradient norm.
     */
    default double sumOfSquares(Tensor x) {
        try (var s = Autograd.noGrad()) {
            return sumAll(binary(Binary.MUL, x, x, x.shape()));
        }
    }

    /** x ← x·c in place (contiguous x): gradient clipping by norm. */
    default void scale_(Tensor x, float c) {
        try (var s = Autograd.noGrad()) {
            copyInto_(binaryScalar(Binary.MUL, x, c), x);
        }
    }

    /** x ← max(−c, min(c, x)) in place (contiguous x): gradient clipping by value. */
    default void clampSymmetric_(Tensor x, float c) {
        try (var s = Autograd.noGrad()) {
            copyInto_(binaryScalar(Binary.MAX, binaryScalar(Binary.MIN, x, c), -c), x);
        }
    }
}
