package dev.lamina.backend;

import dev.lamina.kernels.Elementwise;

/** Pointwise functions a backend evaluates in double per element, with a parameter {@code alpha} where they have one. */
public enum Pointwise {
    /** max(x, 0) + alpha·min(x, 0). */
    LEAKY_RELU,
    /** x for x &gt; 0, alpha·(exp(x) − 1) otherwise. */
    ELU,
    /** x·sigmoid(x). */
    SILU,
    /** GELU with the tanh approximation (PyTorch's approximate='tanh'). */
    GELU_TANH;

    private static final double C = Math.sqrt(2 / Math.PI);

    /** f(v; alpha). */
    public double apply(double v, double alpha) {
        return switch (this) {
            case LEAKY_RELU -> v > 0 ? v : v * alpha;
            case ELU -> v > 0 ? v : alpha * Math.expm1(v);
            case SILU -> v * sigmoid(v);
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(C * (v + 0.044715 * v * v * v)));
        };
    }

    /** f'(v; alpha). */
    public double derivative(double v, double alpha) {
        return switch (this) {
            case LEAKY_RELU -> v > 0 ? 1 : alpha;
            case ELU -> v > 0 ? 1 : alpha * Math.exp(v);
            case SILU -> {
                double s = sigmoid(v);
                yield s * (1 + v * (1 - s));
            }
            case GELU_TANH -> {
                double t = Math.tanh(C * (v + 0.044715 * v * v * v));
                yield 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * 0.044715 * v * v);
            }
        };
    }

    /** σ(v) rounded to float as the fused kernels round it, so SiLU gives their bits on every backend. */
    private static double sigmoid(double v) {
        return Elementwise.sigmoid((float) v);
    }
}
