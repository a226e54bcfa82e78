package dev.lamina.backend;

import dev.lamina.kernels.Activation;
import dev.lamina.tensor.Tensor;

/**
 * What a fused inference convolution does to its output before returning it: {@code y = act(conv(x) + b + residual)}
 * (a ResNet block's skip connection is the residual, a MobileNet block's ReLU6 is CLIP 0..6). A backend applies it
 * in its own way ({@link ConvOps#conv2d}); {@link #applyTo} is the same as differentiable tensor ops.
 *
 * @param act the activation, {@link Activation#NONE} for none
 * @param lo CLIP's lower bound (ignored otherwise)
 * @param hi CLIP's upper bound
 * @param residual a contiguous tensor of the output's shape added before the activation, or null
 */
public record ConvEpilogue(Activation act, float lo, float hi, Tensor residual) {
    public ConvEpilogue {
        if (act == null) throw new IllegalArgumentException("conv epilogue: activation must not be null (use NONE)");
        if (act == Activation.CLIP && !(lo <= hi)) throw new IllegalArgumentException("conv epilogue: clip bounds " + lo + " > " + hi);
        if (residual != null) residual = residual.contiguous();
    }

    /** The activation alone, no residual. */
    public static ConvEpilogue of(Activation act) {
        return new ConvEpilogue(act, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, null);
    }

    /** act(y + residual) as tensor ops (on the tape when gradients are wanted); the residual broadcasts to y. */
    public Tensor applyTo(Tensor y) {
        if (residual != null) y = y.add(residual);
        return switch (act) {
            case NONE -> y;
            case RELU -> y.relu();
            case CLIP -> y.clamp(lo, hi);
            case SIGMOID -> y.sigmoid();
            case SILU -> y.silu();
            case HARDSWISH -> y.mul(y.mul(1f / 6).add(0.5f).clamp(0f, 1f));
        };
    }
}
