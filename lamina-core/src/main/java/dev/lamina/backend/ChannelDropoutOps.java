package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.tensor.Tensor;

/**
 * Channel dropout ({@code nn.Dropout2d}): every (n, c) plane of an [N, C, ...] tensor multiplied by its own factor,
 * 0 for a dropped channel (the plane becomes exactly 0, whatever it held) and 1/(1 − p) for a kept one. The factors
 * are drawn by the caller from its {@code Rng} (so the random stream is the same on every backend); the backward is
 * the same op on the output gradient.
 */
public interface ChannelDropoutOps extends TensorOps {
    /**
     * @param x [N, C, ...]
     * @param scale [N·C], one factor per plane in row-major order
     * @return x's shape
     */
    default Tensor scaleChannels(Tensor x, Tensor scale) {
        try (var s = Autograd.noGrad()) {
            int[] shape = x.shape(), planeShape = new int[shape.length];
            java.util.Arrays.fill(planeShape, 1);
            planeShape[0] = shape[0];
            planeShape[1] = shape[1];
            Tensor f = scale.reshape(planeShape);
            Tensor scaled = binary(Binary.MUL, x, f, shape);
            int[] one = new int[shape.length];
            java.util.Arrays.fill(one, 1);
            return where(f, scaled, wrap(new float[1], one), shape); // a dropped plane is 0 even where x is not finite
        }
    }
}
